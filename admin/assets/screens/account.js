// Your account (`/admin/account`): change your own password. Your other sessions end; your API
// tokens keep working unless you tick "revoke them too", which is what to do when someone may
// have seen the old password (they may have made tokens with it).
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { say } from '../lib/toast.js';
import { gql, me } from '../lib/graphql.js';
import { Link } from '../lib/router.js';

const TOKENS = `{ apiTokens { id } }`;
const CHANGE = `mutation($c: String!, $n: String!, $r: Boolean) { changePassword(currentPassword: $c, newPassword: $n, revokeApiTokens: $r) }`;

export function Account() {
  const [tokens, setTokens] = useState(null);
  const [errors, setErrors] = useState({});
  const setStatus = say;
  const load = () => gql(TOKENS).then((d) => setTokens(d.apiTokens.length)).catch(() => setTokens(null));
  useEffect(() => { load(); }, []);
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const revoke = form.get('revoke') === 'on';
    try {
      await gql(CHANGE, { c: String(form.get('current') || ''), n: String(form.get('new') || ''), r: revoke });
      setErrors({});
      setStatus(t(revoke ? 'password_changed_tokens' : 'password_changed'));
      e.target.reset();
      load();
    } catch (err) {
      setStatus('');
      setErrors({ [err.field === 'currentPassword' ? 'current' : 'new']: err.message });
    }
  };
  const invalid = (name) => (errors[name] ? { 'aria-invalid': 'true', 'aria-describedby': `ac-${name}-error` } : {});
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const current = (me.value && me.value.timeZone) || Intl.DateTimeFormat().resolvedOptions().timeZone;
  const chooseZone = async (e) => {
    e.preventDefault();
    const z = String(new FormData(e.target).get('zone') || '');
    try {
      await gql('mutation($z: String!) { setMyTimeZone(timeZone: $z) { id } }', { z });
      me.value = { ...me.value, timeZone: z };
      setStatus(t('time_zone_saved'));
    } catch (err) { say(err.message, 'error'); }
  };
  return html`
    <h1>${t('account_heading')}</h1>
    <form class="stack card" id="zone-form" onSubmit=${chooseZone}>
      <h2>${t('time_zone')}</h2>
      <label for="ac-zone">${t('time_zone_lead')}</label>
      <select id="ac-zone" name="zone" value=${current}>
        ${(zones.includes(current) ? zones : [current, ...zones]).map((z) => html`<option value=${z}>${z}</option>`)}</select>
      <button type="submit">${t('save')}</button>
    </form>
    <form class="stack card" id="password-form" onSubmit=${submit} novalidate>
      <h2>${t('change_password')}</h2>
      <label for="ac-current">${t('current_password')}</label>
      <input id="ac-current" name="current" type="password" autocomplete="current-password" required ...${invalid('current')} />
      ${errors.current && html`<p class="error" id="ac-current-error">${errors.current}</p>`}
      <label for="ac-new">${t('new_password')}</label>
      <input id="ac-new" name="new" type="password" autocomplete="new-password" required ...${invalid('new')} />
      ${errors.new && html`<p class="error" id="ac-new-error">${errors.new}</p>`}
      <p class="hint">${t('password_rule')} ${t('password_change_sessions')}</p>
      <span class="check"><input type="checkbox" id="ac-revoke" name="revoke" aria-describedby="ac-revoke-hint" />
        <label for="ac-revoke">${t('revoke_tokens_too', { n: tokens === null ? 0 : tokens })}</label></span>
      <p class="hint" id="ac-revoke-hint">${t('revoke_tokens_hint')} <${Link} href="/admin/tokens">${t('see_tokens')}</${Link}></p>
      <button type="submit">${t('change_password')}</button>
    </form>`;
}
