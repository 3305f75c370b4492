// The staff and admin UI: who is signed in decides between the sign-in and the screens; the
// address decides which screen.
import { html, render } from './lib/html.js';
import { me, loadMe } from './lib/graphql.js';
import { path, go } from './lib/router.js';
import { t, lang } from './lib/i18n.js';
import { SignIn } from './screens/sign_in.js';
import { Shell } from './screens/shell.js';
import { Fields, ENTITIES } from './screens/fields.js';
import { Cases } from './screens/cases.js';

function Screen() {
  const [pathname] = path.value.split('?');
  if (pathname === '/admin' || pathname === '/admin/') {
    go('/admin/fields/CASE', { replace: true });
    return null;
  }
  if (pathname === '/admin/cases') return html`<${Cases} />`;
  const fields = pathname.match(/^\/admin\/fields\/([A-Z]+)$/);
  if (fields && ENTITIES.includes(fields[1])) return html`<${Fields} entity=${fields[1]} />`;
  return html`<h1>${t('not_found')}</h1>`;
}

function App() {
  lang.value; // every string follows the language switch
  if (me.value === undefined) return html`<main id="main"><p>${t('loading')}</p></main>`;
  if (me.value === null) return html`<${SignIn} />`;
  return html`<${Shell}><${Screen} /></${Shell}>`;
}

loadMe();
render(html`<${App} />`, document.getElementById('app'));
