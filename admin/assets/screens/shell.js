// What every signed-in screen shares: the header with the sections, the language switch and
// sign-out.
import { html } from '../lib/html.js';
import { t, lang } from '../lib/i18n.js';
import { Link, path } from '../lib/router.js';
import { me, signOut } from '../lib/graphql.js';

const SECTIONS = [
  ['/admin/cases', 'nav_cases', '/admin/cases'],
  ['/admin/fields/CASE', 'nav_fields', '/admin/fields'],
];

export function Shell({ children }) {
  const current = path.value;
  return html`
    <a class="skip" href="#main">${t('skip')}</a>
    <header class="top">
      <${Link} href="/admin" class="brand">${t('app_name')}</${Link}>
      <nav aria-label=${t('nav_label')}>
        <ul>
          ${SECTIONS.map(([href, label, prefix]) => html`
            <li><${Link} href=${href} aria-current=${current.startsWith(prefix) ? 'page' : undefined}>${t(label)}</${Link}></li>`)}
        </ul>
      </nav>
      <span class="who">${me.value && me.value.name}</span>
      <button type="button" class="link" lang=${lang.value === 'es' ? 'en' : 'es'} aria-label=${t('switch_language_label')}
        onClick=${() => { lang.value = lang.value === 'es' ? 'en' : 'es'; }}>${t('switch_language')}</button>
      <button type="button" class="link" onClick=${signOut}>${t('sign_out')}</button>
    </header>
    <main id="main">${children}</main>`;
}
