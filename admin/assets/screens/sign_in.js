// Sign-in. After it, the screen the visitor was going to (the address never changed).
import { useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { signIn } from '../lib/graphql.js';

export function SignIn() {
  const [error, setError] = useState(null);
  // An invitation already used brings its owner here with their email and a word of why.
  const query = new URLSearchParams(window.location.search);
  const ready = query.get('account_ready') === '1';
  // Kept in state: a re-render (an error shown) must not empty what was typed.
  const [email, setEmail] = useState(query.get('email') || '');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    setBusy(true);
    const code = await signIn(form.get('email'), form.get('password'));
    setBusy(false);
    if (code) setError(code === 'UNAUTHENTICATED' ? 'sign_in_failed' : code === 'RATE_LIMITED' ? 'sign_in_limited' : 'sign_in_error');
  };
  return html`
    <main id="main" class="narrow">
      <h1>${t('sign_in_title')}</h1>
      ${ready && !error && html`<p class="notice" role="status">${t('account_ready')}</p>`}
      ${error && html`<p class="error" role="alert">${t(error)}</p>`}
      <form onSubmit=${submit} class="stack">
        <label for="email">${t('email')}</label>
        <input id="email" name="email" type="email" autocomplete="username" required value=${email} onInput=${(e) => setEmail(e.target.value)} />
        <label for="password">${t('password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit" disabled=${busy}>${busy ? t('signing_in') : t('sign_in')}</button>
      </form>
    </main>`;
}
