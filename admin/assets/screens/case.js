// One case (`/admin/cases/<id>`): its fields, its contacts, its documents, Client Connect and
// what happened to it. Each part loads on its own so that a change in one (a grant, an upload)
// refreshes what depends on it and nothing else.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, fieldLabel } from '../lib/i18n.js';
import { say } from '../lib/toast.js';
import { gql, me } from '../lib/graphql.js';
import { subscribe } from '../lib/live.js';
import { Link } from '../lib/router.js';
import { display, tone } from '../lib/records.js';
import { useRecord } from '../lib/use_record.js';
import { RecordForm } from '../parts/record_form.js';
import { Picker } from '../parts/picker.js';
import { AuditLog } from '../parts/audit_log.js';
import { CaseDocuments } from './case_documents.js';
import { ClientConnect } from './client_connect.js';
import { CaseRequests } from './case_requests.js';
import { CaseConversation } from './case_conversation.js';

const ADD_CONTACT = `mutation($c: ID!, $p: ID!) { addCaseContact(caseId: $c, contactId: $p) { id } }`;
const REMOVE_CONTACT = `mutation($c: ID!, $p: ID!) { removeCaseContact(caseId: $c, contactId: $p) }`;

function Contacts({ caseId, contacts, onChanged }) {
  const [adding, setAdding] = useState(null);
  const [error, setError] = useState(null);
  const add = async (e) => {
    e.preventDefault();
    if (!adding) return;
    try {
      await gql(ADD_CONTACT, { c: caseId, p: adding.id });
      setAdding(null);
      setError(null);
      onChanged();
    } catch (err) { setError(err.message); }
  };
  const remove = async (c) => {
    try {
      await gql(REMOVE_CONTACT, { c: caseId, p: c.id });
      setError(null);
      onChanged();
    } catch (err) { setError(err.message); }
  };
  return html`
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${contacts.length === 0 ? html`<p>${t('no_case_contacts')}</p>` : html`<ul class="plain">${contacts.map((c) => html`<li>
      <${Link} href=${`/admin/contacts/${c.id}`}>${c.name}</${Link}>${c.email && html` <span class="hint">${c.email}</span>`}
      ${' '}<button type="button" class="link" onClick=${() => remove(c)}>${t('remove')}<span class="visually-hidden"> ${c.name}</span></button></li>`)}</ul>`}
    <form id="case-contact-form" class="filters" onSubmit=${add}>
      <label for="cc-add">${t('add_contact')}</label>
      <${Picker} kind="CONTACT" id="cc-add" value=${adding} onChange=${setAdding} />
      <button type="submit" disabled=${!adding}>${t('add')}</button>
    </form>`;
}

export function CaseScreen({ id }) {
  const { defs, record, error, tick, changed, save: update } = useRecord('CASE', id, 'contacts { id name email }');
  // Whatever happens to the case elsewhere (a client's upload, a colleague's change) shows
  // here without a reload, and is announced.
  const [news, setNews] = useState('');
  useEffect(() => subscribe(`case-${id}`, 'subscription($c: ID!) { caseActivity(caseId: $c) { action actor { id name } } }', {
    variables: { c: id },
    // After a dropped connection, catch up on what happened meanwhile.
    onReady: (() => { let first = true; return () => { if (!first) changed(); first = false; }; })(),
    onNext: (data) => {
      const e = data && data.caseActivity;
      if (!e) return;
      changed();
      if (!me.value || !e.actor || e.actor.id !== me.value.id) setNews(t('case_changed_by', { name: e.actor ? e.actor.name : t('system_actor') }));
    },
  }), [id]);
  const setStatus = say;
  if (error && record === undefined) return html`<p role="alert" class="error">${error}</p>`;
  if (record === undefined || !defs) return html`<p>${t('loading')}</p>`;
  if (record === null) return html`<h1>${t('case_not_found')}</h1><p><${Link} href="/admin/cases">${t('back_to_cases')}</${Link}></p>`;
  const status_ = defs.find((d) => d.key === 'status');
  const save = async (input) => {
    await update(input);
    setStatus(t('saved'));
    changed();
  };
  return html`
    <p><${Link} href="/admin/cases">${t('back_to_cases')}</${Link}></p>
    <h1>${t('case_heading', { number: record.number || '', subject: record.subject || t('untitled') })}</h1>
    <p role="status" class="notice live-news" id="case-news">${news}</p>
    ${status_ && record.status && html`<p class="hint">${fieldLabel(status_)}: <span class=${`badge badge-${tone(status_, record.status)}`}>${display(status_, record.status)}</span></p>`}
    <nav aria-label=${t('on_this_case')} class="jump"><ul>
      ${['details', 'contacts', 'conversation', 'documents', 'requests', 'client-connect', 'activity'].map((s) => html`<li><a href=${`#${s}`}>${t(`section_${s}`)}</a></li>`)}
    </ul></nav>
    <div class="two-col"><div class="side">
    <section id="details" aria-labelledby="details-title"><h2 id="details-title">${t('section_details')}</h2>
      <${RecordForm} key=${record.updatedAt} entity="CASE" defs=${defs} record=${record} save=${save} submitLabel=${t('save_changes')} />
    </section></div><div class="main">
    <section id="contacts" aria-labelledby="contacts-title"><h2 id="contacts-title">${t('section_contacts')}</h2>
      <${Contacts} caseId=${id} contacts=${record.contacts} onChanged=${changed} />
    </section>
    <section id="conversation" aria-labelledby="conversation-title"><h2 id="conversation-title">${t('section_conversation')}</h2>
      <${CaseConversation} caseId=${id} refresh=${tick} onChanged=${changed} />
    </section>
    <section id="documents" aria-labelledby="documents-title"><h2 id="documents-title">${t('section_documents')}</h2>
      <${CaseDocuments} caseId=${id} refresh=${tick} onChanged=${changed} />
    </section>
    <section id="requests" aria-labelledby="requests-title"><h2 id="requests-title">${t('section_requests')}</h2>
      <${CaseRequests} caseId=${id} refresh=${tick} onChanged=${changed} />
    </section>
    <section id="client-connect" aria-labelledby="cc-title"><h2 id="cc-title">${t('section_client-connect')}</h2>
      <${ClientConnect} caseId=${id} refresh=${tick} onChanged=${changed} />
    </section>
    <section id="activity" aria-labelledby="activity-title"><h2 id="activity-title">${t('section_activity')}</h2>
      <${AuditLog} entity="CASE" id=${id} refresh=${tick} />
    </section></div></div>`;
}
