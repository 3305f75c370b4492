// The conversation on a case: replies to the client contacts who can see it on the portal,
// internal notes only staff see (marked as such), the client's messages, who has read what,
// and the form to write. Opening it marks it read; the case screen refreshes it live when a
// client writes (the case's activity stream).
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, when } from '../lib/i18n.js';
import { gql, me } from '../lib/graphql.js';
import { uploadMany } from '../lib/upload.js';
import { say } from '../lib/toast.js';

const LIST = `query($c: ID!, $last: Int) { caseMessages(caseId: $c, last: $last) { id body internal fromClient byEmail author { id name }
  createdAt editedAt deleted attachments { id name } readBy { contactId name readAt } }
  case(id: $c) { unreadMessages }
  portalCandidates(caseId: $c) { contact { id name } access { enabled } } }`;
const POST = `mutation($c: ID!, $body: String!, $internal: Boolean!, $files: [Upload!]) {
  postCaseMessage(caseId: $c, body: $body, internal: $internal, attachments: $files) { id } }`;
const EDIT = `mutation($id: ID!, $body: String!) { editCaseMessage(id: $id, body: $body) { id } }`;
const DELETE = `mutation($id: ID!) { deleteCaseMessage(id: $id) { id } }`;
const READ = `mutation($c: ID!) { markCaseMessagesRead(caseId: $c) }`;

/** Messages shown at first, and added by each "earlier messages". */
const PAGE = 50;

/** How long after sending a message its author may still change it (the server's rule). */
const EDIT_WINDOW_MS = 15 * 60 * 1000;

/** Text with its web addresses as links; everything else stays text (never HTML). */
export function linked(text) {
  const out = [];
  const re = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let link = m[0];
    while (/[.,;:!?'»\]]$/.test(link) || (link.endsWith(')') && (link.match(/\(/g) || []).length < (link.match(/\)/g) || []).length)) link = link.slice(0, -1);
    if (m.index > last) out.push(text.slice(last, m.index));
    const href = /^www\./i.test(link) ? `https://${link}` : link;
    out.push(html`<a href=${href} rel="noopener noreferrer nofollow" target="_blank">${link}</a>`);
    last = m.index + link.length;
    re.lastIndex = last;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function Receipts({ message }) {
  if (message.internal || message.fromClient || message.deleted) return null;
  const read = message.readBy.filter((r) => r.readAt);
  const unread = message.readBy.filter((r) => !r.readAt);
  return html`<p class="hint receipts">
    ${read.map((r, i) => html`${i > 0 ? '; ' : ''}${t('read_by', { name: r.name, when: when(r.readAt) })}`)}
    ${read.length > 0 && unread.length > 0 ? '; ' : ''}
    ${unread.length > 0 && t('not_read_by', { names: unread.map((r) => r.name).join(', ') })}
  </p>`;
}

function Message({ message, onChanged }) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(message.body);
  const [error, setError] = useState(null);
  const mine = me.value && !message.fromClient && message.author.id === me.value.id;
  const editable = mine && !message.deleted && Date.now() - new Date(message.createdAt).getTime() < EDIT_WINDOW_MS;
  const run = async (query, vars, done) => {
    try {
      await gql(query, vars);
      setError(null);
      setEditing(false);
      say(done);
      onChanged();
    } catch (err) { setError(err.message); }
  };
  const kind = message.internal ? 'note' : message.fromClient ? 'client' : 'firm';
  return html`<li class=${`message message-${kind}`} id=${`message-${message.id}`}>
    <p class="message-meta"><strong>${message.author.name}</strong>
      <time datetime=${message.createdAt}>${when(message.createdAt)}</time>
      ${message.internal && html`<span class="tag tag-note">${t('internal_note')}</span>`}
      ${message.byEmail && html`<span class="hint">${t('message_by_email')}</span>`}
      ${message.editedAt && !message.deleted && html`<span class="hint">(${t('edited')})</span>`}</p>
    ${message.deleted
      ? html`<p class="message-body hint">${t('message_deleted')}</p>`
      : editing
        ? html`<form class="stack" onSubmit=${(e) => { e.preventDefault(); run(EDIT, { id: message.id, body: draft }, t('saved')); }}>
            <label for=${`edit-${message.id}`}>${t('edit_message')}</label>
            <textarea id=${`edit-${message.id}`} rows="3" value=${draft} onInput=${(e) => setDraft(e.target.value)}></textarea>
            <div class="row"><button type="submit">${t('save')}</button>
            <button type="button" class="secondary" onClick=${() => { setEditing(false); setDraft(message.body); }}>${t('cancel')}</button></div>
          </form>`
        : html`<p class="message-body">${linked(message.body)}</p>`}
    ${!message.deleted && message.attachments.length > 0 && html`<ul class="attachments">
      ${message.attachments.map((a) => html`<li><a href=${`/files/${a.id}`} download>${a.name}</a></li>`)}</ul>`}
    <${Receipts} message=${message} />
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${editable && !editing && html`<p class="message-actions">
      <button type="button" class="link" onClick=${() => setEditing(true)}>${t('edit')}<span class="visually-hidden"> ${t('your_message')}</span></button>
      ${' '}<button type="button" class="link" onClick=${() => run(DELETE, { id: message.id }, t('message_deleted_said'))}>${t('delete')}<span class="visually-hidden"> ${t('your_message')}</span></button></p>`}
  </li>`;
}

export function CaseConversation({ caseId, refresh, onChanged }) {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [body, setBody] = useState('');
  const [internal, setInternal] = useState(null);
  const [files, setFiles] = useState([]);
  const [fileKey, setFileKey] = useState(0);
  const [sending, setSending] = useState(false);
  const [shown, setShown] = useState(PAGE);
  const load = async () => {
    try {
      // One more than shown: whether there are earlier ones.
      const d = await gql(LIST, { c: caseId, last: shown + 1 });
      setData(d);
      setError(null);
      // Seeing the conversation is reading it.
      if (d.case && d.case.unreadMessages > 0) await gql(READ, { c: caseId });
    } catch (err) { setError(err.message); }
  };
  useEffect(() => { load(); }, [caseId, refresh, shown]);
  if (!data) return error ? html`<p role="alert" class="error">${error}</p>` : html`<p>${t('loading')}</p>`;
  const clients = data.portalCandidates.filter((c) => c.access.enabled).map((c) => c.contact.name);
  // A reply needs someone to go to; with nobody on the portal, only a note can be written.
  const asNote = internal === null ? clients.length === 0 : internal;
  const send = async (e) => {
    e.preventDefault();
    setSending(true);
    try {
      const vars = { c: caseId, body, internal: asNote };
      if (files.length) await uploadMany(POST, vars, 'files', files, () => {});
      else await gql(POST, { ...vars, files: null });
      setBody('');
      setFiles([]);
      setFileKey((k) => k + 1);
      setError(null);
      say(asNote ? t('note_saved') : t('reply_sent'));
      onChanged();
      load();
    } catch (err) { setError(err.message); }
    setSending(false);
  };
  const earlier = data.caseMessages.length > shown;
  const messages = earlier ? data.caseMessages.slice(1) : data.caseMessages;
  return html`
    ${earlier && html`<p><button type="button" class="link" onClick=${() => setShown(shown + PAGE)}>${t('earlier_messages')}</button></p>`}
    ${messages.length === 0 ? html`<p>${t('no_messages')}</p>` : html`<ol class="conversation">
      ${messages.map((m) => html`<${Message} key=${`${m.id}-${m.editedAt || ''}-${m.deleted}`} message=${m} onChanged=${load} />`)}</ol>`}
    <form class="stack wide compose" onSubmit=${send} aria-labelledby="compose-title">
      <h3 id="compose-title">${t('write_message')}</h3>
      ${error && html`<p role="alert" class="error">${error}</p>`}
      <fieldset>
        <legend>${t('message_goes_to')}</legend>
        <div><input type="radio" id="to-client" name="to" checked=${!asNote} disabled=${clients.length === 0} onChange=${() => setInternal(false)} />
          <label for="to-client">${clients.length ? t('reply_to_clients', { names: clients.join(', ') }) : t('reply_nobody')}</label></div>
        <div><input type="radio" id="to-note" name="to" checked=${asNote} onChange=${() => setInternal(true)} />
          <label for="to-note">${t('internal_note_choice')}</label></div>
      </fieldset>
      <label for="message-body">${asNote ? t('note_text') : t('reply_text')}</label>
      <textarea id="message-body" rows="4" maxlength="20000" value=${body} onInput=${(e) => setBody(e.target.value)}></textarea>
      <label for="message-files">${t('attach_files')}</label>
      <input key=${fileKey} type="file" id="message-files" multiple onChange=${(e) => setFiles([...e.target.files])} />
      <button type="submit" disabled=${sending}>${asNote ? t('save_note') : t('send_reply')}</button>
    </form>`;
}
