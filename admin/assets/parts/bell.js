// The bell: how many notifications wait unread, kept live over `/graphql/ws` (`lib/live.js`);
// opened, the newest with a link to
// their case and "mark as read".
import { useEffect, useState } from '../vendor/hooks.module.js';
import { signal } from '../vendor/signals.module.js';
import { html } from '../lib/html.js';
import { t, when } from '../lib/i18n.js';
import { gql } from '../lib/graphql.js';
import { subscribe } from '../lib/live.js';
import { Link } from '../lib/router.js';

const LIST = `{ notifications { id kind message detail caseId read createdAt case { number subject } } }`;

/** The notification in the UI's language, from its facts; as stored (English) otherwise. */
export function wording(n) {
  const key = `notification_${n.kind}`;
  const text = n.detail ? t(key, n.detail) : key;
  return text === key ? n.message : text;
}
const READ = `mutation($id: ID!) { markNotificationRead(id: $id) { id read } }`;

const items = signal(null);

async function refresh() {
  try {
    const d = await gql(LIST);
    items.value = d.notifications;
  } catch (e) {
    items.value = items.value || [];
  }
}

export function Bell() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    refresh();
    return subscribe('bell', 'subscription { notificationAdded { id } }', { onNext: refresh, onReady: refresh });
  }, []);
  useEffect(() => {
    if (!open) return undefined;
    const close = (e) => { if (e.key === 'Escape') { setOpen(false); const b = document.getElementById('bell'); if (b) b.focus(); } };
    addEventListener('keydown', close);
    return () => removeEventListener('keydown', close);
  }, [open]);
  const list = items.value || [];
  const unread = list.filter((n) => !n.read).length;
  const read = async (n) => {
    try { await gql(READ, { id: n.id }); } catch (e) { /* shown as still unread */ }
    refresh();
  };
  return html`<div class="bell">
    <button type="button" id="bell" class="icon" aria-expanded=${open ? 'true' : 'false'} aria-controls="bell-list" onClick=${() => setOpen(!open)}>
      <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20"><path fill="currentColor"
        d="M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5-6.8V3.5a1.5 1.5 0 0 0-3 0v.7A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"/></svg>
      <span class="count" id="bell-count" data-count=${unread}>${unread}</span>
      <span class="visually-hidden">${t('notifications_unread', { n: unread })}</span>
    </button>
    ${open && html`<div class="popover" id="bell-list" role="region" aria-label=${t('notifications')}>
      <h2>${t('notifications')}</h2>
      ${list.length === 0 ? html`<p>${t('no_notifications')}</p>` : html`<ul>${list.slice(0, 20).map((n) => html`<li class=${n.read ? 'read' : 'unread'}>
        <p>${wording(n)}</p>
        <p class="hint"><time datetime=${n.createdAt}>${when(n.createdAt)}</time>${n.case && html` · <${Link} href=${`/admin/cases/${n.caseId}`} onClick=${() => { setOpen(false); if (!n.read) read(n); }}>
          ${t('case_heading', { number: n.case.number, subject: n.case.subject || '' })}</${Link}>`}</p>
        ${!n.read && html`<button type="button" class="link" onClick=${() => read(n)}>${t('mark_read')}</button>`}</li>`)}</ul>`}
    </div>`}
  </div>`;
}
