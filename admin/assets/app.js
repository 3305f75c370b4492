// The staff and admin UI: who is signed in decides between the sign-in and the screens; the
// address decides which screen.
import { html, render } from './lib/html.js';
import { me, loadMe } from './lib/graphql.js';
import { path, go } from './lib/router.js';
import { t, lang } from './lib/i18n.js';
import { KINDS } from './lib/records.js';
import { SignIn } from './screens/sign_in.js';
import { Shell } from './screens/shell.js';
import { Fields, ENTITIES } from './screens/fields.js';
import { RecordList } from './screens/record_list.js';
import { RecordNew } from './screens/record_new.js';
import { CaseScreen } from './screens/case.js';
import { ContactScreen } from './screens/contact.js';
import { DealScreen } from './screens/deal.js';
import { StaffUsers } from './screens/staff_users.js';
import { ApiTokens } from './screens/api_tokens.js';
import { EmailTemplates } from './screens/email_templates.js';
import { Verify } from './screens/verify.js';
import { Account } from './screens/account.js';
import { Branding } from './screens/branding.js';
import { Invitation } from './screens/invitation.js';
import { Home } from './screens/home.js';

const SCREENS = { CASE: CaseScreen, CONTACT: ContactScreen, DEAL: DealScreen };

function Screen() {
  const [pathname] = path.value.split('?');
  if (pathname === '/admin' || pathname === '/admin/') return html`<${Home} />`;
  for (const [entity, kind] of Object.entries(KINDS)) {
    if (pathname === kind.path) return html`<${RecordList} key=${entity} entity=${entity} />`;
    if (pathname === `${kind.path}/new`) return html`<${RecordNew} key=${entity} entity=${entity} />`;
    const one = pathname.match(new RegExp(`^${kind.path}/([0-9]+)$`));
    if (one) return html`<${SCREENS[entity]} key=${one[1]} id=${one[1]} />`;
  }
  if (pathname === '/admin/users') return html`<${StaffUsers} />`;
  if (pathname === '/admin/tokens') return html`<${ApiTokens} />`;
  if (pathname === '/admin/emails') return html`<${EmailTemplates} />`;
  if (pathname === '/admin/account') return html`<${Account} />`;
  if (pathname === '/admin/verify') return html`<${Verify} />`;
  if (pathname === '/admin/branding') return html`<${Branding} />`;
  const fields = pathname.match(/^\/admin\/fields\/([A-Z]+)$/);
  if (fields && ENTITIES.includes(fields[1])) return html`<${Fields} entity=${fields[1]} />`;
  return html`<h1>${t('not_found')}</h1>`;
}

function App() {
  lang.value; // every string follows the language switch
  // An invitation link works whoever is (or is not) signed in on this browser.
  const invitation = path.value.split('?')[0].match(/^\/admin\/invitation\/([A-Za-z0-9_]+)$/);
  if (invitation) return html`<${Invitation} key=${invitation[1]} token=${invitation[1]} />`;
  if (me.value === undefined) return html`<main id="main"><p>${t('loading')}</p></main>`;
  if (me.value === null) return html`<${SignIn} />`;
  return html`<${Shell}><${Screen} /></${Shell}>`;
}

loadMe();
render(html`<${App} />`, document.getElementById('app'));
