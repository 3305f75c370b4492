// API tokens (`/admin/tokens`): for scripts and integrations that call /graphql as you. A
// new token is shown once, with a copy button; only its hash is kept. Revoking is at once.
// An admin may look at anyone's tokens (`?user=<id>`) and revoke them, say when a
// colleague's laptop is lost; tokens are only ever created for oneself.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, when } from '../lib/i18n.js';
import { say } from '../lib/toast.js';
import { gql, me } from '../lib/graphql.js';
import { go, path } from '../lib/router.js';
import { Dialog } from '../parts/dialog.js';

const LIST = `query($u: ID) { apiTokens(userId: $u) { id name createdAt lastUsedAt expiresAt } }`;
const USERS = `{ staffUsers { id name } }`;
const CREATE = `mutation($n: String!, $e: DateTime) { createApiToken(name: $n, expiresAt: $e) { id name token } }`;
const REVOKE = `mutation($id: ID!) { revokeApiToken(id: $id) }`;


export function ApiTokens() {
  const admin = Boolean(me.value && me.value.groups.some((g) => g.admin));
  const whose = admin ? new URLSearchParams(path.value.split('?')[1] || '').get('user') : null;
  const mine = !whose || whose === me.value.id;
  const [users, setUsers] = useState([]);
  const [tokens, setTokens] = useState(null);
  const [fresh, setFresh] = useState(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState(null);
  const [errors, setErrors] = useState({});
  const setStatus = say;
  const load = () => gql(LIST, { u: mine ? null : whose }).then((d) => setTokens(d.apiTokens)).catch((e) => setErrors({ list: e.message }));
  useEffect(() => { setTokens(null); load(); }, [whose]);
  useEffect(() => { if (admin) gql(USERS).then((d) => setUsers(d.staffUsers)).catch(() => {}); }, []);
  const create = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const expires = String(form.get('expires') || '');
    try {
      const d = await gql(CREATE, { n: String(form.get('name') || ''), e: expires ? new Date(`${expires}T23:59:59`).toISOString() : null });
      setFresh(d.createApiToken);
      setCopied(false);
      setErrors({});
      e.target.reset();
      load();
    } catch (err) { setErrors({ [err.field === 'expiresAt' ? 'expires' : 'name']: err.message }); }
  };
  const copy = async () => {
    try { await navigator.clipboard.writeText(fresh.token); setCopied(true); } catch (e) { setCopied(false); }
  };
  const revoke = async () => {
    const token = revoking;
    setRevoking(null);
    try {
      await gql(REVOKE, { id: token.id });
      setStatus(t('token_revoked', { name: token.name }));
    } catch (err) { setErrors({ list: err.message }); }
    load();
  };
  const invalid = (name) => (errors[name] ? { 'aria-invalid': 'true', 'aria-describedby': `tk-${name}-error` } : {});
  return html`
    <h1>${t('api_tokens')}</h1>
    <p class="hint">${t('api_tokens_hint')}</p>
    ${admin && users.length > 1 && html`<div class="filters">
      <label for="tk-user">${t('tokens_of')}</label>
      <select id="tk-user" value=${mine ? me.value.id : whose}
        onChange=${(e) => go(e.target.value === me.value.id ? '/admin/tokens' : `/admin/tokens?user=${e.target.value}`, { replace: true })}>
        ${users.map((u) => html`<option value=${u.id}>${u.id === me.value.id ? t('tokens_mine') : u.name}</option>`)}</select></div>`}
    ${fresh && html`<div class="card fresh" role="region" aria-labelledby="fresh-title">
      <h2 id="fresh-title">${t('token_created', { name: fresh.name })}</h2>
      <p>${t('token_once')}</p>
      <p><code id="fresh-token">${fresh.token}</code></p>
      <div class="buttons"><button type="button" onClick=${copy}>${t('copy')}</button>
        <button type="button" class="secondary" onClick=${() => setFresh(null)}>${t('token_stored')}</button></div>
      <p role="status" class="notice">${copied ? t('copied') : ''}</p>
    </div>`}
    ${errors.list && html`<p role="alert" class="error">${errors.list}</p>`}
    ${tokens === null ? html`<p>${t('loading')}</p>` : tokens.length === 0 ? html`<p>${t(mine ? 'no_tokens' : 'no_tokens_of')}</p>` : html`
      <div class="scroll"><table><caption class="visually-hidden">${t('api_tokens')}</caption>
        <thead><tr><th scope="col">${t('name')}</th><th scope="col">${t('created_on')}</th><th scope="col">${t('last_used')}</th>
          <th scope="col">${t('expires_at')}</th><th scope="col">${t('actions')}</th></tr></thead>
        <tbody>${tokens.map((tk) => html`<tr><th scope="row">${tk.name}</th><td>${when(tk.createdAt)}</td>
          <td>${tk.lastUsedAt ? when(tk.lastUsedAt) : t('never')}</td><td>${tk.expiresAt ? when(tk.expiresAt) : t('never')}</td>
          <td><button type="button" class="link danger" onClick=${() => setRevoking(tk)}>${t('revoke')}<span class="visually-hidden"> ${tk.name}</span></button></td></tr>`)}
        </tbody></table></div>`}
    ${mine && html`<form class="stack card" id="token-form" onSubmit=${create} novalidate>
      <h2>${t('new_token')}</h2>
      <label for="tk-name">${t('token_name')}</label>
      <input id="tk-name" name="name" required ...${invalid('name')} />
      ${errors.name && html`<p class="error" id="tk-name-error">${errors.name}</p>`}
      <label for="tk-expires">${t('token_expires')}</label>
      <input id="tk-expires" name="expires" type="date" ...${invalid('expires')} />
      ${errors.expires && html`<p class="error" id="tk-expires-error">${errors.expires}</p>`}
      <button type="submit">${t('create_token')}</button>
    </form>`}
    ${revoking && html`<${Dialog} id="revoke" title=${t('revoke_title')} onClose=${() => setRevoking(null)}>
      <p>${t('revoke_text', { name: revoking.name })}</p>
      <div class="buttons"><button type="button" class="danger" onClick=${revoke}>${t('revoke')}</button>
        <button type="button" class="secondary" onClick=${() => setRevoking(null)}>${t('cancel')}</button></div></${Dialog}>`}`;
}
