// Sign-in. After it, the screen the visitor was going to (the address never changed).
import { useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { signIn } from '../lib/graphql.js';

export function SignIn() {
  const [error, setError] = useState(null);
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
      ${error && html`<p class="error" role="alert">${t(error)}</p>`}
      <form onSubmit=${submit} class="stack">
        <label for="email">${t('email')}</label>
        <input id="email" name="email" type="email" autocomplete="username" required />
        <label for="password">${t('password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <button type="submit" disabled=${busy}>${busy ? t('signing_in') : t('sign_in')}</button>
      </form>
    </main>`;
}
