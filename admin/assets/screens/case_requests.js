// Requests on a case: what staff asked the case's portal contacts for (documents, answers, a
// signature), where each stands, what the client sent, and the decisions staff take on it
// (accept, return with a comment, cancel); and the form that asks for something new.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, when } from '../lib/i18n.js';
import { gql } from '../lib/graphql.js';
import { say } from '../lib/toast.js';

const FIELDS = `id kind state title instructions dueDate comment createdAt submittedAt
  contacts { id name } documents { id name } questions { key label type options required } answers
  signatures { contact { id name } declaredName signedAt declinedAt reason }`;
const LIST = `query($c: ID!) { clientRequests(caseId: $c) { ${FIELDS} } }`;
const CONTEXT = `query($c: ID!) { portalCandidates(caseId: $c) { contact { id name } access { enabled } }
  case(id: $c) { folders { id name } documents(orderBy: [{field: NAME, direction: ASC}]) { id name contentType } }
  questionnaireTemplates { id name questions { key label type options required } } }`;
const CREATE = `mutation($input: CreateClientRequestInput!) { createClientRequest(input: $input) { id } }`;
const ACCEPT = `mutation($id: ID!) { acceptClientRequest(id: $id) { id } }`;
const RETURN = `mutation($id: ID!, $comment: String!) { returnClientRequest(id: $id, comment: $comment) { id } }`;
const CANCEL = `mutation($id: ID!) { cancelClientRequest(id: $id) { id } }`;
const SAVE_TEMPLATE = `mutation($name: String!, $q: [QuestionInput!]!) { saveQuestionnaireTemplate(name: $name, questions: $q) { id name } }`;

/** The types a question may have (what a client can type or pick on a form). */
const QUESTION_TYPES = ['TEXT', 'TEXTAREA', 'NUMBER', 'DECIMAL', 'BOOLEAN', 'DATE', 'EMAIL', 'PHONE', 'URL', 'SELECT', 'MULTISELECT'];
const WITH_OPTIONS = ['SELECT', 'MULTISELECT'];
const KINDS = ['DOCUMENTS', 'QUESTIONS', 'SIGNATURE'];

/** A request's state as a badge: the word, in the colour of where it stands. */
export function StateBadge({ state }) {
  const tone = state === 'OPEN' ? 'new' : state === 'SUBMITTED' || state === 'RETURNED' ? 'active' : 'closed';
  return html`<span class=${`badge badge-${tone}`}>${t(`request_state_${state}`)}</span>`;
}

/** Whether a request still waiting for the client is past its due date. */
export function late(r) {
  if (!r.dueDate || !(r.state === 'OPEN' || r.state === 'RETURNED')) return false;
  return r.dueDate < new Date().toISOString().slice(0, 10);
}

/** A due date as people read it (a calendar day: no time zone moves it). */
export function dueText(r) {
  if (!r.dueDate) return '';
  const [y, m, d] = r.dueDate.split('-').map(Number);
  const day = new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: 'medium', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
  return late(r) ? t('request_late', { date: day }) : t('request_due', { date: day });
}

/** A question's key from its text: ASCII camelCase, unique among `taken`. */
function keyOf(label, taken) {
  const words = label.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  let key = words.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('').slice(0, 40);
  if (!/^[a-z]/.test(key)) key = `q${key}`;
  let unique = key;
  for (let n = 2; taken.includes(unique); n += 1) unique = `${key}${n}`;
  return unique;
}

function answerText(q, value) {
  if (value === undefined || value === null || value === '') return t('no_answer');
  if (q.type === 'BOOLEAN') return value ? t('yes') : t('no');
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

function Decide({ request, onDone }) {
  const [returning, setReturning] = useState(false);
  const [comment, setComment] = useState('');
  const [error, setError] = useState(null);
  const run = async (query, vars, message) => {
    try {
      await gql(query, vars);
      setError(null);
      setReturning(false);
      say(message);
      onDone();
    } catch (err) { setError(err.message); }
  };
  const id = request.id;
  return html`<div class="request-actions">
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${request.state === 'SUBMITTED' && html`
      <button type="button" onClick=${() => run(ACCEPT, { id }, t('request_accepted', { title: request.title }))}>${t('accept')}<span class="visually-hidden"> ${request.title}</span></button>
      ${' '}<button type="button" class="secondary" aria-expanded=${returning ? 'true' : 'false'} onClick=${() => setReturning(!returning)}>${t('return_to_client')}<span class="visually-hidden"> ${request.title}</span></button>`}
    ${['OPEN', 'SUBMITTED', 'RETURNED'].includes(request.state) && html`
      ${' '}<button type="button" class="link" onClick=${() => run(CANCEL, { id }, t('request_cancelled', { title: request.title }))}>${t('cancel_request')}<span class="visually-hidden"> ${request.title}</span></button>`}
    ${returning && html`<form class="stack return-form" onSubmit=${(e) => { e.preventDefault(); run(RETURN, { id, comment }, t('request_returned', { title: request.title })); }}>
      <label for=${`ret-${id}`}>${t('return_comment')}</label>
      <textarea id=${`ret-${id}`} rows="3" required value=${comment} onInput=${(e) => setComment(e.target.value)}></textarea>
      <button type="submit" disabled=${!comment.trim()}>${t('return_send')}</button>
    </form>`}
  </div>`;
}

function RequestItem({ request: r, onDone }) {
  return html`<li class="request">
    <h3>${r.title} <${StateBadge} state=${r.state} /></h3>
    <p class="hint">${t(`request_kind_${r.kind}`)} · ${t('request_to', { names: r.contacts.map((c) => c.name).join(', ') })}
      ${r.dueDate && html` · <span class=${late(r) ? 'late' : ''}>${dueText(r)}</span>`}
      ${r.submittedAt && html` · ${t('request_sent_at', { when: when(r.submittedAt) })}`}</p>
    ${r.instructions && html`<p class="pre-line">${r.instructions}</p>`}
    ${r.state === 'RETURNED' && r.comment && html`<p class="hint">${t('returned_with')}: ${r.comment}</p>`}
    ${r.kind === 'QUESTIONS' && html`<dl class="answers">${r.questions.map((q) => html`
      <dt>${q.label}</dt><dd>${answerText(q, r.answers[q.key])}</dd>`)}</dl>`}
    ${r.kind === 'DOCUMENTS' && (r.documents.length === 0 ? html`<p class="hint">${t('request_no_documents')}</p>`
      : html`<ul class="plain">${r.documents.map((d) => html`<li><a href=${`/files/${d.id}`} download>${d.name}</a></li>`)}</ul>`)}
    ${r.kind === 'SIGNATURE' && html`
      <p>${r.documents.map((d) => html`<a href=${`/files/${d.id}`} download>${d.name}</a>`)}</p>
      <ol class="signers">${r.contacts.map((c) => {
        const s = r.signatures.find((x) => x.contact.id === c.id);
        return html`<li>${c.name}: ${!s ? t('signer_pending')
          : s.signedAt ? t('signer_signed_as', { name: s.declaredName, when: when(s.signedAt) })
            : html`<span class="late">${t('signer_declined_because', { reason: s.reason })}</span>`}</li>`;
      })}</ol>`}
    <${Decide} request=${r} onDone=${onDone} />
  </li>`;
}

function QuestionRow({ q, i, set, remove }) {
  const id = `q-${i}`;
  return html`<fieldset class="question">
    <legend>${t('question_n', { n: i + 1 })}</legend>
    <label for=${`${id}-label`}>${t('question_text')}</label>
    <input id=${`${id}-label`} value=${q.label} onInput=${(e) => set({ label: e.target.value })} />
    <label for=${`${id}-type`}>${t('type')}</label>
    <select id=${`${id}-type`} value=${q.type} onChange=${(e) => set({ type: e.target.value })}>
      ${QUESTION_TYPES.map((ty) => html`<option value=${ty}>${t(`type_${ty}`)}</option>`)}</select>
    ${WITH_OPTIONS.includes(q.type) && html`
      <label for=${`${id}-options`}>${t('question_options')}</label>
      <input id=${`${id}-options`} value=${q.options} aria-describedby=${`${id}-options-hint`} onInput=${(e) => set({ options: e.target.value })} />
      <p class="hint" id=${`${id}-options-hint`}>${t('question_options_hint')}</p>`}
    <div><input type="checkbox" id=${`${id}-req`} checked=${q.required} onChange=${(e) => set({ required: e.target.checked })} />
      <label for=${`${id}-req`}>${t('required')}</label></div>
    <button type="button" class="link" onClick=${remove}>${t('remove_question', { n: i + 1 })}</button>
  </fieldset>`;
}

const blankQuestion = () => ({ label: '', type: 'TEXT', options: '', required: true });

function asInput(questions) {
  const taken = [];
  return questions.filter((q) => q.label.trim()).map((q) => {
    const key = q.key || keyOf(q.label, taken);
    taken.push(key);
    return { key, label: q.label.trim(), type: q.type, required: q.required,
      options: WITH_OPTIONS.includes(q.type) ? q.options.split(',').map((o) => o.trim()).filter(Boolean) : [] };
  });
}

function NewRequest({ caseId, onCreated, onClose }) {
  const [ctx, setCtx] = useState(null);
  const [kind, setKind] = useState('DOCUMENTS');
  const [to, setTo] = useState([]);
  const [title, setTitle] = useState('');
  const [instructions, setInstructions] = useState('');
  const [due, setDue] = useState('');
  const [folder, setFolder] = useState('');
  const [document_, setDocument] = useState('');
  const [questions, setQuestions] = useState([blankQuestion()]);
  const [templateName, setTemplateName] = useState('');
  const [error, setError] = useState(null);
  const load = () => gql(CONTEXT, { c: caseId }).then(setCtx).catch((e) => setError({ message: e.message }));
  useEffect(() => { load(); }, [caseId]);
  if (ctx === null) return html`<p>${error ? error.message : t('loading')}</p>`;
  const granted = ctx.portalCandidates.filter((c) => c.access && c.access.enabled).map((c) => c.contact);
  if (granted.length === 0) return html`<p class="empty">${t('request_needs_access')}</p>`;
  const toggle = (id, on) => setTo((list) => (on ? [...list, id] : list.filter((x) => x !== id)));
  const setQuestion = (i, patch) => setQuestions((qs) => qs.map((q, j) => (j === i ? { ...q, ...patch } : q)));
  const useTemplate = (id) => {
    const tpl = ctx.questionnaireTemplates.find((x) => x.id === id);
    if (!tpl) return;
    setQuestions(tpl.questions.map((q) => ({ key: q.key, label: q.label, type: q.type, options: q.options.join(', '), required: q.required })));
    if (!title) setTitle(tpl.name);
    setTemplateName(tpl.name);
  };
  const saveTemplate = async () => {
    try {
      await gql(SAVE_TEMPLATE, { name: templateName, q: asInput(questions) });
      setError(null);
      say(t('questionnaire_saved', { name: templateName.trim() }));
      load();
    } catch (err) { setError(err); }
  };
  const submit = async (e) => {
    e.preventDefault();
    const input = { caseId, contactIds: to, kind, title, instructions: instructions || null, dueDate: due || null };
    if (kind === 'DOCUMENTS') input.folderId = folder || null;
    if (kind === 'QUESTIONS') input.questions = asInput(questions);
    if (kind === 'SIGNATURE') input.documentId = document_ || null;
    try {
      await gql(CREATE, { input });
      say(t('request_made', { title: title.trim() }));
      onCreated();
    } catch (err) { setError(err); }
  };
  const invalid = (name) => error && error.field && (error.field === name || error.field.startsWith(`${name}.`));
  return html`<form id="new-request" class="card stack" onSubmit=${submit} novalidate>
    <h3>${t('new_request')}</h3>
    <fieldset aria-invalid=${invalid('contactIds') ? 'true' : 'false'}>
      <legend>${t('request_for')}</legend>
      <p class="hint">${t('request_for_hint')}</p>
      ${granted.map((c) => html`<div><input type="checkbox" id=${`rq-to-${c.id}`} checked=${to.includes(c.id)}
        onChange=${(e) => toggle(c.id, e.target.checked)} /><label for=${`rq-to-${c.id}`}>${c.name}</label></div>`)}
    </fieldset>
    <fieldset><legend>${t('request_kind')}</legend>
      ${KINDS.map((k) => html`<div><input type="radio" name="rq-kind" id=${`rq-kind-${k}`} checked=${kind === k}
        onChange=${() => setKind(k)} /><label for=${`rq-kind-${k}`}>${t(`request_kind_${k}`)}</label></div>`)}
    </fieldset>
    <label for="rq-title">${t('request_title')}</label>
    <input id="rq-title" value=${title} aria-invalid=${invalid('title') ? 'true' : 'false'} onInput=${(e) => setTitle(e.target.value)} />
    <label for="rq-instructions">${t('request_instructions')}</label>
    <textarea id="rq-instructions" rows="3" value=${instructions} onInput=${(e) => setInstructions(e.target.value)}></textarea>
    <label for="rq-due">${t('request_due_date')}</label>
    <input id="rq-due" type="date" value=${due} aria-invalid=${invalid('dueDate') ? 'true' : 'false'} onInput=${(e) => setDue(e.target.value)} />
    ${kind === 'DOCUMENTS' && html`
      <label for="rq-folder">${t('request_folder')}</label>
      <select id="rq-folder" value=${folder} onChange=${(e) => setFolder(e.target.value)}>
        <option value="">${t('request_new_folder')}</option>
        ${ctx.case.folders.map((f) => html`<option value=${f.id}>${f.name}</option>`)}</select>`}
    ${kind === 'SIGNATURE' && html`
      <label for="rq-document">${t('request_document_to_sign')}</label>
      <select id="rq-document" value=${document_} aria-invalid=${invalid('documentId') ? 'true' : 'false'} aria-describedby="rq-document-hint"
        onChange=${(e) => setDocument(e.target.value)}>
        <option value="">${t('request_pick_pdf')}</option>
        ${ctx.case.documents.filter((d) => d.contentType === 'application/pdf').map((d) => html`<option value=${d.id}>${d.name}</option>`)}</select>
      <p class="hint" id="rq-document-hint">${t('request_document_hint')}</p>`}
    ${kind === 'QUESTIONS' && html`
      ${ctx.questionnaireTemplates.length > 0 && html`
        <label for="rq-template">${t('questionnaire_pick')}</label>
        <select id="rq-template" onChange=${(e) => useTemplate(e.target.value)}>
          <option value="">${t('questionnaire_none')}</option>
          ${ctx.questionnaireTemplates.map((x) => html`<option value=${x.id}>${x.name}</option>`)}</select>`}
      ${questions.map((q, i) => html`<${QuestionRow} key=${i} q=${q} i=${i} set=${(p) => setQuestion(i, p)}
        remove=${() => setQuestions((qs) => qs.filter((_, j) => j !== i))} />`)}
      <button type="button" id="add-question" class="secondary" onClick=${() => setQuestions((qs) => [...qs, blankQuestion()])}>${t('add_question')}</button>
      <div class="filters">
        <label for="rq-template-name">${t('questionnaire_name')}</label>
        <input id="rq-template-name" value=${templateName} onInput=${(e) => setTemplateName(e.target.value)} />
        <button type="button" id="save-questionnaire" class="secondary" disabled=${!templateName.trim()} onClick=${saveTemplate}>${t('questionnaire_save')}</button>
      </div>`}
    ${error && html`<p role="alert" class="error">${error.message}</p>`}
    <div class="filters">
      <button type="submit">${t('request_send')}</button>
      <button type="button" class="link" onClick=${onClose}>${t('cancel')}</button>
    </div>
  </form>`;
}

export function CaseRequests({ caseId, refresh, onChanged }) {
  const [list, setList] = useState(null);
  const [making, setMaking] = useState(false);
  const [error, setError] = useState(null);
  const load = () => gql(LIST, { c: caseId }).then((d) => setList(d.clientRequests)).catch((e) => setError(e.message));
  useEffect(() => { load(); }, [caseId, refresh]);
  const done = () => { load(); onChanged(); };
  return html`
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${making ? html`<${NewRequest} caseId=${caseId} onCreated=${() => { setMaking(false); done(); }} onClose=${() => setMaking(false)} />`
      : html`<p><button type="button" id="ask-client" onClick=${() => setMaking(true)}>${t('new_request')}</button></p>`}
    ${list === null ? html`<p>${t('loading')}</p>` : list.length === 0 ? html`<p class="empty">${t('no_requests')}</p>`
      : html`<ul class="requests">${list.map((r) => html`<${RequestItem} key=${r.id} request=${r} onDone=${done} />`)}</ul>`}`;
}
