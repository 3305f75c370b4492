// One contact (`/admin/contacts/<id>`): its fields; the portal (the "Portal user" switch with
// "send the invitation now or later", the invitation's state and "resend"); the people of an
// organisation or the organisations of a person; the contact's cases; what happened to it.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, when } from '../lib/i18n.js';
import { say } from '../lib/toast.js';
import { gql } from '../lib/graphql.js';
import { Link } from '../lib/router.js';
import { display } from '../lib/records.js';
import { useRecord } from '../lib/use_record.js';
import { RecordForm } from '../parts/record_form.js';
import { Picker } from '../parts/picker.js';
import { AuditLog } from '../parts/audit_log.js';
import { ConflictDialog } from '../parts/conflict_dialog.js';

const PORTAL = `mutation($id: ID!, $on: Boolean!, $send: SendInvitation) {
  updateContact(id: $id, input: {portalUser: $on}, sendInvitation: $send) { id } }`;
const INVITE = `mutation($id: ID!) { sendPortalInvitation(contactId: $id) { status sentAt } }`;
const ADD_REL = `mutation($i: ID!, $o: ID!, $role: String) { addRelationship(individualId: $i, organisationId: $o, role: $role) { id } }`;
const REMOVE_REL = `mutation($id: ID!) { removeRelationship(id: $id) }`;
const CASES = `query($id: ID!) { cases(first: 20, filter: {client: {eq: $id}}) { totalCount edges { node { id number subject } } } }`;


/** `say` shows a message in the screen's status line, which outlives this part's reload. */
function Portal({ contact, onChanged, say }) {
  const [on, setOn] = useState(Boolean(contact.portalUser));
  const [send, setSend] = useState('NOW');
  const setStatus = say;
  const [error, setError] = useState(null);
  const [conflict, setConflict] = useState(null);
  const invitation = contact.portalInvitation;
  if (!contact.portalUser && !contact.portalQualified) {
    return html`<p>${t('portal_not_qualified')}</p>`;
  }
  const save = async (e) => {
    e.preventDefault();
    try {
      await gql(PORTAL, { id: contact.id, on, send: on ? send : null });
      setError(null);
      setStatus(on ? t(send === 'NOW' ? 'portal_on_sent' : 'portal_on_later') : t('portal_off'));
      onChanged();
    } catch (err) {
      if (err.code === 'PORTAL_EMAIL_CONFLICT') setConflict({ name: contact.name, email: contact.email, contacts: err.contacts });
      setError(err.message);
    }
  };
  const invite = async () => {
    try {
      await gql(INVITE, { id: contact.id });
      setError(null);
      setStatus(t('invitation_sent_to', { email: contact.email }));
      onChanged();
    } catch (err) { setError(err.message); }
  };
  return html`
    <form id="portal-form" onSubmit=${save} class="stack">
      <span class="check"><input type="checkbox" role="switch" id="portal-user" checked=${on} onChange=${(e) => setOn(e.target.checked)} />
        <label for="portal-user">${t('portal_user_switch')}</label></span>
      ${on && !contact.portalUser && html`<fieldset><legend>${t('invitation_when')}</legend>
        <span class="check"><input type="radio" id="send-now" name="send" value="NOW" checked=${send === 'NOW'} onChange=${() => setSend('NOW')} />
          <label for="send-now">${t('send_now')}</label></span>
        <span class="check"><input type="radio" id="send-later" name="send" value="LATER" checked=${send === 'LATER'} onChange=${() => setSend('LATER')} />
          <label for="send-later">${t('send_later')}</label></span></fieldset>`}
      <button type="submit" disabled=${on === Boolean(contact.portalUser)}>${t('save')}</button>
    </form>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${contact.portalUser && invitation && html`<dl class="facts">
      <dt>${t('invitation')}</dt><dd id="invitation-status">${t(`invitation_${invitation.status}`)}</dd>
      ${invitation.sentAt && html`<dt>${t('sent_at')}</dt><dd>${when(invitation.sentAt)}</dd>`}
      ${invitation.acceptedAt && html`<dt>${t('accepted_at')}</dt><dd>${when(invitation.acceptedAt)}</dd>`}
      ${invitation.expiresAt && invitation.status === 'SENT' && html`<dt>${t('expires_at')}</dt><dd>${when(invitation.expiresAt)}</dd>`}
    </dl>
    ${invitation.status !== 'ACCEPTED' && html`<button type="button" id="send-invitation" onClick=${invite}>
      ${invitation.status === 'NOT_SENT' ? t('send_invitation') : t('resend_invitation')}</button>`}`}
    ${conflict && html`<${ConflictDialog} conflict=${conflict} onClose=${() => setConflict(null)} />`}`;
}

function Relationships({ contact, onChanged }) {
  const organisation = contact.kind === 'ORGANISATION';
  const [other, setOther] = useState(null);
  const [role, setRole] = useState('');
  const [error, setError] = useState(null);
  const add = async (e) => {
    e.preventDefault();
    if (!other) return;
    try {
      await gql(ADD_REL, organisation ? { i: other.id, o: contact.id, role: role || null } : { i: contact.id, o: other.id, role: role || null });
      setOther(null); setRole(''); setError(null);
      onChanged();
    } catch (err) { setError(err.message); }
  };
  const remove = async (r) => {
    try { await gql(REMOVE_REL, { id: r.id }); onChanged(); } catch (err) { setError(err.message); }
  };
  const rels = contact.relationships || [];
  return html`
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${rels.length === 0 ? html`<p>${t(organisation ? 'no_people' : 'no_organisations')}</p>` : html`<ul class="plain">${rels.map((r) => {
      const them = organisation ? r.individual : r.organisation;
      return html`<li><${Link} href=${`/admin/contacts/${them.id}`}>${them.name}</${Link}>${r.role && html` · ${r.role}`}
        ${' '}<button type="button" class="link" onClick=${() => remove(r)}>${t('remove')}<span class="visually-hidden"> ${them.name}</span></button></li>`;
    })}</ul>`}
    <form id="rel-form" class="filters" onSubmit=${add}>
      <label for="rel-other">${t(organisation ? 'add_person' : 'add_organisation')}</label>
      <${Picker} kind="CONTACT" id="rel-other" value=${other} onChange=${setOther} />
      <label for="rel-role">${t('role')}</label>
      <input id="rel-role" value=${role} onInput=${(e) => setRole(e.target.value)} />
      <button type="submit" disabled=${!other}>${t('add')}</button>
    </form>`;
}

export function ContactScreen({ id }) {
  const { defs, record: contact, error, tick, changed, save: update } = useRecord('CONTACT', id,
    `portalQualified portalInvitation { status sentAt acceptedAt expiresAt }
     relationships { id role individual { id name } organisation { id name } }`);
  const [cases, setCases] = useState(null);
  const setStatus = say;
  const [portalStatus, setPortalStatus] = useState('');
  useEffect(() => { gql(CASES, { id }).then((c) => setCases(c.cases)).catch(() => setCases(null)); }, [id, tick]);
  if (error && contact === undefined) return html`<p role="alert" class="error">${error}</p>`;
  if (contact === undefined || !defs) return html`<p>${t('loading')}</p>`;
  if (contact === null) return html`<h1>${t('contact_not_found')}</h1><p><${Link} href="/admin/contacts">${t('back_to_contacts')}</${Link}></p>`;
  const kind = defs.find((d) => d.key === 'kind');
  const portalField = defs.some((d) => d.key === 'portalUser');
  const save = async (input) => {
    await update(input);
    setStatus(t('saved'));
    changed();
  };
  return html`
    <p><${Link} href="/admin/contacts">${t('back_to_contacts')}</${Link}></p>
    <h1>${contact.name}</h1>
    ${kind && html`<p class="hint">${display(kind, contact.kind)}</p>`}
    <section aria-labelledby="details-title"><h2 id="details-title">${t('section_details')}</h2>
      <${RecordForm} key=${contact.updatedAt} entity="CONTACT" defs=${defs} record=${contact} save=${save} submitLabel=${t('save_changes')} />
    </section>
    <section aria-labelledby="portal-title"><h2 id="portal-title">${t('section_portal')}</h2>
      <p role="status" class="notice">${portalStatus}</p>
      ${portalField ? html`<${Portal} key=${`${contact.updatedAt}${contact.portalInvitation ? contact.portalInvitation.status : ''}`} contact=${contact} onChanged=${changed} say=${setPortalStatus} />`
        : html`<p>${t('portal_field_inactive')}</p>`}
    </section>
    <section aria-labelledby="rel-title"><h2 id="rel-title">${t(contact.kind === 'ORGANISATION' ? 'section_people' : 'section_organisations')}</h2>
      <${Relationships} contact=${contact} onChanged=${changed} />
    </section>
    <section aria-labelledby="cases-title"><h2 id="cases-title">${t('section_cases')}</h2>
      ${cases && cases.edges.length > 0 ? html`<ul class="plain">${cases.edges.map(({ node: c }) => html`<li>
        <${Link} href=${`/admin/cases/${c.id}`}>${t('case_heading', { number: c.number, subject: c.subject || t('untitled') })}</${Link}></li>`)}</ul>`
        : html`<p>${t('no_cases')}</p>`}
      <p><${Link} href=${`/admin/cases/new?client=${contact.id}`}>${t('open_case_for')}</${Link}></p>
    </section>
    <section aria-labelledby="activity-title"><h2 id="activity-title">${t('section_activity')}</h2>
      <${AuditLog} entity="CONTACT" id=${id} refresh=${tick} />
    </section>`;
}
