// "Client Connect" on a case, the three tabs of the product documents: Access (who may see the
// case on the portal, and download), Share (what each of them sees), Notifications (which staff
// hear about the client's activity, in the app and by email). The tab and the chosen contact are
// in the address (`?cc=share&contact=7`).
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, when } from '../lib/i18n.js';
import { gql } from '../lib/graphql.js';
import { go, path, Link } from '../lib/router.js';
import { ConflictDialog } from '../parts/conflict_dialog.js';
import { Picker } from '../parts/picker.js';
import { ClientMark, ORDERS } from './case_documents.js';

const CANDIDATES = `query($c: ID!) { portalCandidates(caseId: $c) { contact { id name email } access { enabled canDownload } sharedDocumentCount } }`;
const SET_ACCESS = `mutation($c: ID!, $p: ID!, $on: Boolean!, $dl: Boolean!) {
  setPortalAccess(caseId: $c, contactId: $p, enabled: $on, canDownload: $dl) { enabled canDownload } }`;
const SHARED = `query($c: ID!, $p: ID!, $orderBy: [DocumentOrderBy!], $search: String) {
  sharedDocuments(caseId: $c, contactId: $p, orderBy: $orderBy, search: $search) { id name origin createdAt updatedAt uploadedBy { name } openedBy { contactId name firstAt } }
  case(id: $c) { documents(orderBy: [{field: NAME, direction: ASC}]) { id name origin } } }`;
const SHARE = `mutation($c: ID!, $p: ID!, $ids: [ID!]!) { shareDocuments(caseId: $c, contactId: $p, documentIds: $ids) { id } }`;
const UNSHARE = `mutation($c: ID!, $p: ID!, $d: ID!) { unshareDocument(caseId: $c, contactId: $p, documentId: $d) }`;
const RECIPIENTS = `query($c: ID!) { caseNotificationRecipients(caseId: $c) { user { id name } inApp email } }`;
const SET_RECIPIENT = `mutation($c: ID!, $u: ID!, $app: Boolean!, $mail: Boolean!) {
  setCaseNotificationRecipient(caseId: $c, userId: $u, inApp: $app, email: $mail) { inApp email } }`;
const REMOVE_RECIPIENT = `mutation($c: ID!, $u: ID!) { removeCaseNotificationRecipient(caseId: $c, userId: $u) }`;

const TABS = ['access', 'share', 'notifications'];

function params() { return new URLSearchParams(path.value.split('?')[1] || ''); }

function setParams(edit) {
  const q = params();
  edit(q);
  go(`${path.value.split('?')[0]}?${q.toString()}`, { replace: true });
}

function Access({ caseId, candidates, reload }) {
  const [draft, setDraft] = useState({});
  const [status, setStatus] = useState('');
  const [error, setError] = useState(null);
  const [conflict, setConflict] = useState(null);
  const stored = (c) => ({ enabled: Boolean(c.access && c.access.enabled), canDownload: Boolean(c.access && c.access.canDownload) });
  const value = (c) => draft[c.contact.id] || stored(c);
  const set = (c, patch) => setDraft((d) => ({ ...d, [c.contact.id]: { ...value(c), ...patch } }));
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    for (const c of candidates) {
      const v = draft[c.contact.id];
      if (!v) continue;
      const was = stored(c);
      if (v.enabled === was.enabled && v.canDownload === was.canDownload) continue;
      try {
        await gql(SET_ACCESS, { c: caseId, p: c.contact.id, on: v.enabled, dl: v.enabled && v.canDownload });
      } catch (err) {
        if (err.code === 'PORTAL_EMAIL_CONFLICT') {
          setConflict({ name: c.contact.name, email: c.contact.email, contacts: err.contacts });
        }
        setError(`${c.contact.name}: ${err.message}`);
        reload();
        return;
      }
    }
    setDraft({});
    setStatus(t('saved'));
    reload();
  };
  if (candidates.length === 0) return html`<p>${t('no_candidates')}</p>`;
  return html`<form id="access-form" onSubmit=${save}>
    <p class="hint">${t('access_hint')}</p>
    <div class="scroll"><table>
      <caption class="visually-hidden">${t('tab_access')}</caption>
      <thead><tr><th scope="col">${t('contact')}</th><th scope="col">${t('portal_access')}</th>
        <th scope="col">${t('can_download')}</th><th scope="col">${t('shared_count')}</th></tr></thead>
      <tbody>${candidates.map((c) => {
        const v = value(c);
        return html`<tr>
          <th scope="row"><${Link} href=${`/admin/contacts/${c.contact.id}`}>${c.contact.name}</${Link}><br /><span class="hint">${c.contact.email}</span></th>
          <td><input type="checkbox" id=${`acc-${c.contact.id}`} checked=${v.enabled} onChange=${(e) => set(c, { enabled: e.target.checked })}
            aria-label=${`${t('portal_access')}: ${c.contact.name}`} /></td>
          <td><input type="checkbox" id=${`dl-${c.contact.id}`} checked=${v.enabled && v.canDownload} disabled=${!v.enabled}
            onChange=${(e) => set(c, { canDownload: e.target.checked })} aria-label=${`${t('can_download')}: ${c.contact.name}`} /></td>
          <td>${c.sharedDocumentCount}</td></tr>`;
      })}</tbody></table></div>
    <p role="status" class="notice">${status}</p>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    <button type="submit">${t('save')}</button>
    ${conflict && html`<${ConflictDialog} conflict=${conflict} onClose=${() => setConflict(null)} />`}
  </form>`;
}

function Share({ caseId, candidates }) {
  const granted = candidates.filter((c) => c.access && c.access.enabled);
  const chosen = granted.find((c) => c.contact.id === params().get('contact')) || granted[0];
  const [order, setOrder] = useState('ACTIVITY');
  const [search, setSearch] = useState('');
  // What is typed is state too: a live update re-renders the tab while someone types, and an
  // uncontrolled box would be reset to the last search.
  const [typed, setTyped] = useState('');
  const [data, setData] = useState(null);
  const [picked, setPicked] = useState([]);
  const [status, setStatus] = useState('');
  const [error, setError] = useState(null);
  const contactId = chosen ? chosen.contact.id : null;
  const load = () => {
    if (!contactId) return;
    gql(SHARED, { c: caseId, p: contactId, orderBy: [{ field: order, direction: order === 'NAME' ? 'ASC' : 'DESC' }], search: search || null })
      .then((d) => setData(d)).catch((e) => setError(e.message));
  };
  // Another contact starts blank; another order or search keeps the list until the new one
  // arrives (the search box and the list stay where the user is).
  useEffect(() => { setData(null); setPicked([]); }, [contactId]);
  useEffect(() => { load(); }, [contactId, order, search]);
  if (!chosen) return html`<p>${t('share_needs_access')}</p>`;
  const shared = data ? data.sharedDocuments : [];
  const unshared = data ? data.case.documents.filter((d) => !shared.some((s) => s.id === d.id)) : [];
  // Whether this contact has opened it on the portal (a receipt only staff see).
  const opened = (d) => {
    const o = d.openedBy.find((x) => x.contactId === contactId);
    return o ? t('opened_by', { name: o.name, when: when(o.firstAt) }) : t('not_opened');
  };
  const share = async (e) => {
    e.preventDefault();
    try {
      await gql(SHARE, { c: caseId, p: contactId, ids: picked });
      setStatus(t('shared_n', { n: picked.length, name: chosen.contact.name }));
      setError(null);
      setPicked([]);
      load();
    } catch (err) { setError(err.message); }
  };
  const unshare = async (doc) => {
    try {
      await gql(UNSHARE, { c: caseId, p: contactId, d: doc.id });
      setStatus(t('unshared', { name: doc.name }));
      load();
    } catch (err) { setError(err.message); }
  };
  return html`
    <div class="filters">
      <label for="share-contact">${t('contact')}</label>
      <select id="share-contact" value=${contactId} onChange=${(e) => setParams((q) => q.set('contact', e.target.value))}>
        ${granted.map((c) => html`<option value=${c.contact.id}>${c.contact.name}</option>`)}</select>
      <span class="hint">${chosen.access.canDownload ? t('can_download') : t('cannot_download')}</span>
    </div>
    <p role="status" class="notice">${status}</p>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${data === null ? html`<p>${t('loading')}</p>` : html`
      <form id="share-form" onSubmit=${share} class="card">
        <h3>${t('share_documents')}</h3>
        ${unshared.length === 0 ? html`<p>${t('nothing_to_share')}</p>` : html`
          <ul class="plain">${unshared.map((d) => html`<li><input type="checkbox" id=${`sh-${d.id}`} checked=${picked.includes(d.id)}
            onChange=${(e) => setPicked((p) => (e.target.checked ? [...p, d.id] : p.filter((x) => x !== d.id)))} />
            <label for=${`sh-${d.id}`}>${d.name}</label></li>`)}</ul>
          <button type="submit" disabled=${picked.length === 0}>${t('share_selected')}</button>`}
      </form>
      <section class="card" aria-labelledby="shared-title">
        <h3 id="shared-title">${t('shared_list')}</h3>
        <div class="filters">
          <label for="shared-search">${t('search_documents')}</label>
          <input id="shared-search" type="search" value=${typed} onInput=${(e) => setTyped(e.target.value)}
            onChange=${(e) => setSearch(e.target.value.trim())} />
          <label for="shared-order">${t('sort_by')}</label>
          <select id="shared-order" value=${order} onChange=${(e) => setOrder(e.target.value)}>
            ${ORDERS.map((o) => html`<option value=${o}>${t(`order_${o}`)}</option>`)}</select>
        </div>
        ${shared.length === 0 ? html`<p>${t('nothing_shared')}</p>` : html`<ul class="shared">${shared.map((d) => html`<li>
          <span>${d.name}${d.origin === 'CLIENT_PORTAL' && html` <${ClientMark} />`}</span>
          <span class="hint">${when(d.updatedAt, { time: null })}</span>
          ${d.origin !== 'CLIENT_PORTAL' && html`<span class="hint receipt">${opened(d)}</span>`}
          <button type="button" class="link" onClick=${() => unshare(d)}>${t('remove_from_portal')}<span class="visually-hidden"> ${d.name}</span></button></li>`)}</ul>`}
      </section>`}`;
}

function Notifications({ caseId }) {
  const [list, setList] = useState(null);
  const [adding, setAdding] = useState(null);
  const [newApp, setNewApp] = useState(true);
  const [newMail, setNewMail] = useState(true);
  const [status, setStatus] = useState('');
  const [error, setError] = useState(null);
  const load = () => gql(RECIPIENTS, { c: caseId }).then((d) => setList(d.caseNotificationRecipients)).catch((e) => setError(e.message));
  useEffect(() => { load(); }, [caseId]);
  const explain = (err) => setError(err.code === 'VALIDATION' && err.field === 'userId' ? `${err.message} ${t('owner_rule')}` : err.message);
  const set = async (userId, inApp, email) => {
    try {
      await gql(SET_RECIPIENT, { c: caseId, u: userId, app: inApp, mail: email });
      setError(null);
      setStatus(t('saved'));
    } catch (err) { explain(err); }
    load();
  };
  const remove = async (r) => {
    try {
      await gql(REMOVE_RECIPIENT, { c: caseId, u: r.user.id });
      setError(null);
      setStatus(t('removed_name', { name: r.user.name }));
    } catch (err) { explain(err); }
    load();
  };
  const add = async (e) => {
    e.preventDefault();
    if (!adding) return;
    await set(adding.id, newApp, newMail);
    setAdding(null);
  };
  if (list === null) return html`<p>${error || t('loading')}</p>`;
  return html`
    <p class="hint">${t('notifications_hint')}</p>
    <p role="status" class="notice">${status}</p>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    <div class="scroll"><table>
      <caption class="visually-hidden">${t('tab_notifications')}</caption>
      <thead><tr><th scope="col">${t('user')}</th><th scope="col">${t('in_app')}</th><th scope="col">${t('by_email')}</th><th scope="col">${t('actions')}</th></tr></thead>
      <tbody>${list.map((r) => html`<tr>
        <th scope="row">${r.user.name}</th>
        <td><input type="checkbox" checked=${r.inApp} aria-label=${`${t('in_app')}: ${r.user.name}`} onChange=${(e) => set(r.user.id, e.target.checked, r.email)} /></td>
        <td><input type="checkbox" checked=${r.email} aria-label=${`${t('by_email')}: ${r.user.name}`} onChange=${(e) => set(r.user.id, r.inApp, e.target.checked)} /></td>
        <td><button type="button" class="link" onClick=${() => remove(r)}>${t('remove')}<span class="visually-hidden"> ${r.user.name}</span></button></td></tr>`)}
      </tbody></table></div>
    <form id="recipient-form" class="filters" onSubmit=${add}>
      <label for="nr-user">${t('add_user')}</label>
      <${Picker} kind="USER" id="nr-user" value=${adding} onChange=${setAdding} />
      <span class="check"><input type="checkbox" id="nr-app" checked=${newApp} onChange=${(e) => setNewApp(e.target.checked)} /><label for="nr-app">${t('in_app')}</label></span>
      <span class="check"><input type="checkbox" id="nr-mail" checked=${newMail} onChange=${(e) => setNewMail(e.target.checked)} /><label for="nr-mail">${t('by_email')}</label></span>
      <button type="submit" disabled=${!adding}>${t('add')}</button>
    </form>`;
}

export function ClientConnect({ caseId, refresh, onChanged }) {
  const q = params();
  const tab = TABS.includes(q.get('cc')) ? q.get('cc') : 'access';
  const [candidates, setCandidates] = useState(null);
  const [error, setError] = useState(null);
  const load = () => gql(CANDIDATES, { c: caseId }).then((d) => setCandidates(d.portalCandidates)).catch((e) => setError(e.message));
  useEffect(() => { load(); }, [caseId, refresh]);
  const key = (e, i) => {
    const next = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : null;
    if (next === null) return;
    e.preventDefault();
    setParams((p) => p.set('cc', TABS[next]));
    setTimeout(() => { const el = document.getElementById(`tab-${TABS[next]}`); if (el) el.focus(); });
  };
  return html`
    <div role="tablist" class="tablist" aria-label=${t('client_connect')}>
      ${TABS.map((name, i) => html`<button type="button" role="tab" id=${`tab-${name}`} aria-selected=${tab === name ? 'true' : 'false'}
        aria-controls="cc-panel" tabindex=${tab === name ? 0 : -1} onKeyDown=${(e) => key(e, i)}
        onClick=${() => setParams((p) => p.set('cc', name))}>${t(`tab_${name}`)}</button>`)}
    </div>
    <div role="tabpanel" id="cc-panel" aria-labelledby=${`tab-${tab}`} class="panel">
      ${error && html`<p role="alert" class="error">${error}</p>`}
      ${candidates === null ? html`<p>${t('loading')}</p>`
        : tab === 'access' ? html`<${Access} caseId=${caseId} candidates=${candidates} reload=${() => { load(); onChanged(); }} />`
          : tab === 'share' ? html`<${Share} caseId=${caseId} candidates=${candidates} />`
            : html`<${Notifications} caseId=${caseId} />`}
    </div>`;
}
