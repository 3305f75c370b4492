// Choosing a contact or a staff user by typing part of the name: matches appear as buttons
// under the box (reachable with Tab, chosen with Enter), the choice shows with a way to clear it.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { gql } from '../lib/graphql.js';
import { foundBy } from '../lib/search.js';

const CONTACTS = `query($q: String) { contacts(first: 8, search: $q, orderBy: [{field: "name"}]) {
  edges { node { id name email kind } } } }`;
const USERS = `{ staffUsers { id name email active } }`;

async function search(kind, q) {
  if (kind === 'CONTACT') {
    const d = await gql(CONTACTS, { q });
    return d.contacts.edges.map((e) => e.node);
  }
  const d = await gql(USERS);
  return d.staffUsers.filter((u) => u.active && foundBy(`${u.name} ${u.email}`, q)).slice(0, 8);
}

/** `value` is `{id, name}` or null; `onChange` gets the same. */
export function Picker({ kind, id, value, onChange, describedBy, invalid }) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState([]);
  useEffect(() => {
    if (!q.trim()) { setFound([]); return undefined; }
    let live = true;
    const timer = setTimeout(() => search(kind, q.trim()).then((r) => { if (live) setFound(r); }).catch(() => {}), 150);
    return () => { live = false; clearTimeout(timer); };
  }, [q, kind]);
  const choose = (r) => { setQ(''); setFound([]); onChange({ id: r.id, name: r.name }); };
  if (value) {
    return html`<span class="picked" key="picked" id=${id} tabindex="-1">
      <span>${value.name}</span>
      <button type="button" class="link" onClick=${() => { onChange(null); setQ(''); }}>${t('change')}<span class="visually-hidden"> ${value.name}</span></button>
    </span>`;
  }
  return html`<span class="picker" key="picker">
    <input id=${id} type="search" autocomplete="off" value=${q} placeholder=${t(kind === 'CONTACT' ? 'type_contact_name' : 'type_user_name')}
      onInput=${(e) => setQ(e.target.value)} aria-describedby=${describedBy} aria-invalid=${invalid ? 'true' : undefined}
      onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); if (found[0]) choose(found[0]); } }} />
    ${q.trim() && html`<ul class="matches" aria-live="polite">
      ${found.length === 0 ? html`<li class="hint">${t('no_matches')}</li>` : found.map((r) => html`<li>
        <button type="button" class="link" onClick=${() => choose(r)}>${r.name}</button>
        ${r.email && html` <span class="hint">${r.email}</span>`}</li>`)}
    </ul>`}
  </span>`;
}
