// A new staff user's invitation link (`/admin/invitation/<token>`): choose a password and go
// straight in. The account's email is shown (and is the password manager's username); a link
// that was already used leads to sign-in with the email filled in, never to a dead end.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { gql, signIn } from '../lib/graphql.js';
import { go } from '../lib/router.js';

const LINK = `query($t: String!) { staffInvitation(token: $t) { state email name } }`;
const ACCEPT = `mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { expiresAt } }`;

export function Invitation({ token }) {
  const [link, setLink] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    gql(LINK, { t: token }).then((d) => setLink(d.staffInvitation)).catch((e) => setLink({ state: 'INVALID', failure: e.message }));
  }, [token]);
  if (!link) return html`<main id="main" class="narrow"><p>${t('loading')}</p></main>`;
  if (link.state === 'SIGN_IN') {
    go(`/admin?account_ready=1&email=${encodeURIComponent(link.email)}`, { replace: true });
    return null;
  }
  if (link.state === 'INVALID') {
    return html`<main id="main" class="narrow">
      <h1>${t('invitation_invalid_title')}</h1>
      <p>${link.failure || t('invitation_invalid')}</p>
      <p><a href="/admin">${t('go_to_sign_in')}</a></p></main>`;
  }
  const submit = async (e) => {
    e.preventDefault();
    const password = String(new FormData(e.target).get('password') || '');
    setBusy(true);
    try {
      await gql(ACCEPT, { t: token, p: password });
      // The session the UI runs on is the cookie: sign in with what was just chosen.
      const code = await signIn(link.email, password);
      if (code) throw new Error(t('sign_in_error'));
      go('/admin', { replace: true });
    } catch (err) {
      // In the reader's language where the server names the problem.
      setError(err.field === 'password' ? t('password_too_short') : err.field === 'token' ? t('invitation_invalid') : err.message);
      setBusy(false);
    }
  };
  return html`<main id="main" class="narrow">
    <h1>${t('invitation_title', { name: link.name })}</h1>
    <p>${t('invitation_lead')}</p>
    <form onSubmit=${submit} class="stack" novalidate>
      <label for="inv-email">${t('email')}</label>
      <input id="inv-email" name="email" type="email" autocomplete="username" value=${link.email} readonly />
      <label for="inv-password">${t('choose_password')}</label>
      <input id="inv-password" name="password" type="password" autocomplete="new-password" required
        aria-describedby=${error ? 'inv-rule inv-error' : 'inv-rule'} aria-invalid=${error ? 'true' : undefined} />
      <p class="hint" id="inv-rule">${t('password_rule')}</p>
      ${error && html`<p class="error" id="inv-error">${error}</p>`}
      <button type="submit" disabled=${busy}>${t('invitation_submit')}</button>
    </form></main>`;
}
