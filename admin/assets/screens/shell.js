// What every signed-in screen shares: the header with the sections (the field editor for
// admins), the notification bell, the language switch and sign-out.
import { html } from '../lib/html.js';
import { t, lang } from '../lib/i18n.js';
import { Link, path } from '../lib/router.js';
import { me, signOut, chooseLanguage } from '../lib/graphql.js';
import { Bell } from '../parts/bell.js';
import { Toasts } from '../parts/toasts.js';

const SECTIONS = [
  ['/admin', 'nav_home', null],
  ['/admin/cases', 'nav_cases', '/admin/cases'],
  ['/admin/contacts', 'nav_contacts', '/admin/contacts'],
  ['/admin/deals', 'nav_deals', '/admin/deals'],
  ['/admin/tokens', 'nav_tokens', '/admin/tokens'],
  ['/admin/verify', 'nav_verify', '/admin/verify'],
];
const ADMIN_SECTIONS = [
  ['/admin/fields/CASE', 'nav_fields', '/admin/fields'],
  ['/admin/users', 'nav_users', '/admin/users'],
  ['/admin/emails', 'nav_emails', '/admin/emails'],
  ['/admin/branding', 'nav_branding', '/admin/branding'],
];

export function Shell({ children }) {
  const current = path.value;
  const isAdmin = Boolean(me.value && me.value.groups.some((g) => g.admin));
  return html`
    <a class="skip" href="#main">${t('skip')}</a>
    <header class="top">
      <${Link} href="/admin" class="brand">${t('app_name')}</${Link}>
      <nav aria-label=${t('nav_label')}>
        <ul>
          ${[...SECTIONS, ...(isAdmin ? ADMIN_SECTIONS : [])].map(([href, label, prefix]) => html`
            <li><${Link} href=${href} aria-current=${(prefix ? current.startsWith(prefix) : current.split('?')[0].replace(/\/$/, '') === href) ? 'page' : undefined}>${t(label)}</${Link}></li>`)}
        </ul>
      </nav>
      <${Link} href="/admin/account" class="who" aria-current=${current.startsWith('/admin/account') ? 'page' : undefined}>${me.value && me.value.name}<span class="visually-hidden"> (${t('account_heading')})</span></${Link}>
      <${Bell} />
      <button type="button" class="link" lang=${lang.value === 'es' ? 'en' : 'es'} aria-label=${t('switch_language_label')}
        onClick=${() => chooseLanguage(lang.value === 'es' ? 'en' : 'es')}>${t('switch_language')}</button>
      <button type="button" class="link" id="sign-out" onClick=${signOut}>${t('sign_out')}</button>
    </header>
    <main id="main">${children}</main>
    <${Toasts} />`;
}
