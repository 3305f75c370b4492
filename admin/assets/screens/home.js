// The staff home (`/admin`): what a person starts the day with. Their open cases (owned by
// them, in a status the admin has not marked closed), newest change first, and what clients
// did recently on the cases they follow (their notifications), the conversations with
// messages they have not read, each a link to the case.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, when } from '../lib/i18n.js';
import { gql, me } from '../lib/graphql.js';
import { Link } from '../lib/router.js';
import { definitions, display, names, optionValue, tone } from '../lib/records.js';
import { wording } from '../parts/bell.js';
import { StateBadge, dueText, late } from './case_requests.js';

const UNREAD = `{ unreadConversations { id number subject unreadMessages client { name } } }`;
const ACTIVITY = `{ notifications { id kind message detail caseId read createdAt case { number subject } } }`;
// Every request still with a client or sent back for review, on the cases the user owns.
const REQUESTS = `{ clientRequests(state: [OPEN, RETURNED, SUBMITTED]) { id title state dueDate contacts { name } case { id number subject } } }`;

export function Home() {
  const [cases, setCases] = useState(null);
  const [status, setStatus] = useState(null);
  const [activity, setActivity] = useState(null);
  const [requests, setRequests] = useState(null);
  const [unread, setUnread] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    definitions('CASE').then(async (defs) => {
      const def = defs.find((d) => d.key === 'status');
      setStatus(def || null);
      const open = def ? def.options.filter((o) => !(def.closedOptions || []).includes(o)).map((o) => optionValue(def, o)) : [];
      const filter = { owner: { eq: me.value.id } };
      if (def) filter.status = { in: open };
      const n = await names('CASE');
      const d = await gql(`query($f: ${n.filter}) { ${n.many}(first: 10, filter: $f, orderBy: [{field: "updatedAt", direction: DESC}]) {
        totalCount edges { node { id number subject status updatedAt client { name } } } } }`, { f: filter });
      setCases(d[n.many]);
    }).catch((e) => setError(e.message));
    gql(REQUESTS).then((d) => setRequests(d.clientRequests)).catch((e) => setError(e.message));
    gql(UNREAD).then((d) => setUnread(d.unreadConversations)).catch((e) => setError(e.message));
    gql(ACTIVITY).then((d) => setActivity(d.notifications.slice(0, 10))).catch((e) => setError(e.message));
  }, []);
  const mineHref = `/admin/cases?f.owner.eq=${encodeURIComponent(me.value.id)}`;
  return html`
    <h1>${t('home_title', { name: me.value.name })}</h1>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    <div class="home">
    <section aria-labelledby="home-cases-title" class="card">
      <h2 id="home-cases-title">${t('home_my_open_cases')}</h2>
      ${cases === null ? html`<p>${t('loading')}</p>` : cases.totalCount === 0
        ? html`<p class="empty">${t('home_no_open_cases')} <${Link} class="button" href="/admin/cases/new">${t('new_CASE')}</${Link}></p>`
        : html`<ul class="home-list">${cases.edges.map(({ node: c }) => html`<li>
            <${Link} href=${`/admin/cases/${c.id}`}><span class="number">${c.number}</span> ${c.subject || t('untitled')}</${Link}>
            ${status && c.status && html` <span class=${`badge badge-${tone(status, c.status)}`}>${display(status, c.status)}</span>`}
            <span class="hint">${c.client ? `${c.client.name} · ` : ''}${when(c.updatedAt)}</span></li>`)}</ul>
          <p><${Link} href=${mineHref}>${t('home_all_my_cases', { n: cases.totalCount })}</${Link}></p>`}
    </section>
    <section aria-labelledby="home-unread-title" class="card">
      <h2 id="home-unread-title">${t('home_unread_messages')}</h2>
      ${unread === null ? html`<p>${t('loading')}</p>` : unread.length === 0
        ? html`<p class="empty">${t('home_no_unread')}</p>`
        : html`<ul class="home-list">${unread.map((c) => html`<li>
            <${Link} href=${`/admin/cases/${c.id}#conversation`}><span class="number">${c.number}</span> ${c.subject || t('untitled')}</${Link}>
            ${' '}<span class="tag unread">${t('unread_count', { n: c.unreadMessages })}</span>
            ${c.client && html`<span class="hint">${c.client.name}</span>`}</li>`)}</ul>`}
    </section>
    <section aria-labelledby="home-requests-title" class="card">
      <h2 id="home-requests-title">${t('home_open_requests')}</h2>
      ${requests === null ? html`<p>${t('loading')}</p>` : requests.length === 0
        ? html`<p class="empty">${t('home_no_requests')}</p>`
        : html`<ul class="home-list">${requests.map((r) => html`<li class=${late(r) ? 'late-item' : ''}>
            <${Link} href=${`/admin/cases/${r.case.id}#requests`}><span class="number">${r.case.number}</span> ${r.title}</${Link}>
            ${' '}<${StateBadge} state=${r.state} />
            <span class="hint">${r.contacts.map((c) => c.name).join(', ')}${r.dueDate ? html` · <span class=${late(r) ? 'late' : ''}>${dueText(r)}</span>` : ''}</span></li>`)}</ul>`}
    </section>
    <section aria-labelledby="home-activity-title" class="card">
      <h2 id="home-activity-title">${t('home_client_activity')}</h2>
      ${activity === null ? html`<p>${t('loading')}</p>` : activity.length === 0
        ? html`<p class="empty">${t('home_no_activity')}</p>`
        : html`<ul class="home-list">${activity.map((n) => html`<li class=${n.read ? 'read' : 'unread'}>
            ${n.case ? html`<${Link} href=${`/admin/cases/${n.caseId}`}>${wording(n)}</${Link}>` : wording(n)}
            <span class="hint"><time datetime=${n.createdAt}>${when(n.createdAt)}</time>${n.case ? ` · ${n.case.number}` : ''}</span></li>`)}</ul>`}
    </section>
    </div>`;
}
