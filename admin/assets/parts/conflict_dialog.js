// The portal-login email is shared with other contacts: who they are, with links to fix them.
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { Link } from '../lib/router.js';
import { Dialog } from './dialog.js';

/** `conflict` is `{name, email, contacts: [{id, name}]}`. */
export function ConflictDialog({ conflict, onClose }) {
  return html`<${Dialog} id="conflict" title=${t('conflict_title')} onClose=${onClose}>
    <p>${t('conflict_text', { name: conflict.name, email: conflict.email || '' })}</p>
    <ul>${conflict.contacts.map((c) => html`<li><${Link} href=${`/admin/contacts/${c.id}`} onClick=${onClose}>${c.name}</${Link}></li>`)}</ul>
    <button type="button" onClick=${onClose}>${t('close')}</button>
  </${Dialog}>`;
}
