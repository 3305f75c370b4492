// A case's documents: drop several files (or choose them) into a folder and watch each one's
// progress; folders; search and sort; rename, replace with a new version, delete, download.
// A client's upload carries the green cloud and says so in words.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, when } from '../lib/i18n.js';
import { gql } from '../lib/graphql.js';
import { upload } from '../lib/upload.js';
import { Dialog } from '../parts/dialog.js';

const DOCS = `query($id: ID!, $orderBy: [DocumentOrderBy!], $search: String) { case(id: $id) {
  folders { id name }
  documents(orderBy: $orderBy, search: $search) { id name type origin folderId version size createdAt updatedAt
    createdBy { name } uploadedBy { name } sharedWith { name } } } }`;
const UPLOAD = `mutation($c: ID!, $folder: ID, $file: Upload!) { uploadDocument(caseId: $c, folderId: $folder, file: $file) { id name } }`;
const REPLACE = `mutation($id: ID!, $file: Upload!) { replaceDocumentContent(id: $id, file: $file) { id version } }`;
const RENAME = `mutation($id: ID!, $name: String!) { renameDocument(id: $id, name: $name) { id name } }`;
const DELETE = `mutation($id: ID!) { deleteDocument(id: $id) }`;
const FOLDER = `mutation($c: ID!, $name: String!) { createFolder(caseId: $c, name: $name) { id name } }`;

export const ORDERS = ['ACTIVITY', 'NAME', 'CREATED'];

export function size(bytes) {
  const locale = document.documentElement.lang;
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(bytes / 1024)} KB`;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(bytes / 1024 / 1024)} MB`;
}

/** The green cloud of a client's upload, with its words for those who do not see it. */
export function ClientMark() {
  return html`<span class="client-upload"><svg aria-hidden="true" viewBox="0 0 24 16" width="20" height="14"><path fill="currentColor"
    d="M19.4 6A7 7 0 0 0 6.3 4.1 5 5 0 0 0 6 14h13a4 4 0 0 0 .4-8z"/></svg> ${t('client_upload')}</span>`;
}

function Uploads({ caseId, folders, onDone }) {
  const [items, setItems] = useState([]);
  const [over, setOver] = useState(false);
  const [folder, setFolder] = useState('');
  const send = async (files) => {
    const start = items.length;
    const added = [...files].map((f) => ({ name: f.name, progress: 0, error: null, done: false }));
    setItems((old) => [...old, ...added]);
    const update = (i, patch) => setItems((old) => old.map((it, j) => (j === start + i ? { ...it, ...patch } : it)));
    await Promise.all([...files].map(async (file, i) => {
      try {
        await upload(UPLOAD, { c: caseId, folder: folder || null }, 'file', file, (p) => update(i, { progress: p }));
        update(i, { done: true, progress: 1 });
      } catch (e) {
        update(i, { error: e.message });
      }
    }));
    onDone();
  };
  const drop = (e) => {
    e.preventDefault();
    setOver(false);
    if (e.dataTransfer && e.dataTransfer.files.length) send(e.dataTransfer.files);
  };
  return html`<div class=${`drop${over ? ' over' : ''}`} onDragOver=${(e) => { e.preventDefault(); setOver(true); }}
      onDragLeave=${() => setOver(false)} onDrop=${drop}>
    <p>${t('drop_here')}</p>
    <div class="filters">
      ${folders.length > 0 && html`<label for="up-folder">${t('folder')}</label>
        <select id="up-folder" value=${folder} onChange=${(e) => setFolder(e.target.value)}>
          <option value="">${t('no_folder')}</option>
          ${folders.map((f) => html`<option value=${f.id}>${f.name}</option>`)}</select>`}
      <label for="up-files">${t('choose_files')}</label>
      <input id="up-files" type="file" multiple onChange=${(e) => { if (e.target.files.length) send(e.target.files); e.target.value = ''; }} />
    </div>
    ${items.length > 0 && html`<ul class="uploads" aria-live="polite">${items.map((it, i) => html`<li key=${i}>
      <span>${it.name}</span>
      ${it.error ? html`<span class="error">${t('upload_failed')}: ${it.error}</span>`
        : it.done ? html`<span class="notice">${t('uploaded')}</span>`
          : html`<progress max="1" value=${it.progress} aria-label=${t('uploading_file', { name: it.name })}></progress>`}</li>`)}</ul>`}
  </div>`;
}

function Row({ doc, folders, onChanged, setStatus }) {
  const [renaming, setRenaming] = useState(false);
  // Kept in state: the list reloads when anything happens to the case (a client's upload seen
  // live), and a reload must not put the old name back under the typing.
  const [newName, setNewName] = useState(doc.name);
  const [deleting, setDeleting] = useState(false);
  const [error, setError] = useState(null);
  const folder = folders.find((f) => f.id === doc.folderId);
  const rename = async (e) => {
    e.preventDefault();
    const name = newName.trim();
    try {
      await gql(RENAME, { id: doc.id, name });
      setRenaming(false);
      setError(null);
      setStatus(t('renamed', { name }));
      onChanged();
    } catch (err) { setError(err.message); }
  };
  const replace = async (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (!file) return;
    try {
      const d = await upload(REPLACE, { id: doc.id }, 'file', file, () => {});
      setError(null);
      setStatus(t('new_version_saved', { name: doc.name, version: d.replaceDocumentContent.version }));
      onChanged();
    } catch (err) { setError(err.message); }
  };
  const remove = async () => {
    try {
      await gql(DELETE, { id: doc.id });
      setDeleting(false);
      setStatus(t('deleted_name', { name: doc.name }));
      onChanged();
    } catch (err) { setDeleting(false); setError(err.message); }
  };
  return html`<tr>
    <th scope="row">
      ${renaming ? html`<form class="inline" onSubmit=${rename}>
          <label class="visually-hidden" for=${`rn-${doc.id}`}>${t('new_name_of', { name: doc.name })}</label>
          <input id=${`rn-${doc.id}`} name="name" value=${newName} onInput=${(e) => setNewName(e.target.value)} />
          <button type="submit">${t('save')}</button>
          <button type="button" class="link" onClick=${() => setRenaming(false)}>${t('cancel')}</button></form>`
        : html`<a href=${`/files/${doc.id}`} download>${doc.name}</a>`}
      ${doc.origin === 'CLIENT_PORTAL' && html` <${ClientMark} />`}
      ${error && html`<p class="error" role="alert">${error}</p>`}
    </th>
    <td>${folder ? folder.name : ''}</td>
    <td>${doc.version}</td>
    <td>${size(doc.size)}</td>
    <td>${doc.uploadedBy ? doc.uploadedBy.name : doc.createdBy ? doc.createdBy.name : ''}<br /><span class="hint">${when(doc.updatedAt)}</span></td>
    <td class="actions">
      <button type="button" class="link" id=${`rename-${doc.id}`} onClick=${() => { setNewName(doc.name); setRenaming(true); }}>${t('rename')}<span class="visually-hidden"> ${doc.name}</span></button>
      <label class="link-like" for=${`nv-${doc.id}`}>${t('new_version')}<span class="visually-hidden"> ${doc.name}</span></label>
      <input class="visually-hidden" id=${`nv-${doc.id}`} type="file" onChange=${replace} />
      <button type="button" class="link danger" id=${`delete-${doc.id}`} onClick=${() => setDeleting(true)}>${t('delete')}<span class="visually-hidden"> ${doc.name}</span></button>
      ${deleting && html`<${Dialog} id=${`del-${doc.id}`} title=${t('delete_document_title')} onClose=${() => setDeleting(false)}>
        <p>${t('delete_document_text', { name: doc.name })}</p>
        <div class="buttons"><button type="button" class="danger" onClick=${remove}>${t('delete')}</button>
        <button type="button" class="secondary" onClick=${() => setDeleting(false)}>${t('cancel')}</button></div></${Dialog}>`}
    </td>
  </tr>`;
}

export function CaseDocuments({ caseId, refresh, onChanged }) {
  const [data, setData] = useState(null);
  const [order, setOrder] = useState('ACTIVITY');
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState('');
  const [error, setError] = useState(null);
  const load = () => gql(DOCS, { id: caseId, orderBy: [{ field: order, direction: order === 'NAME' ? 'ASC' : 'DESC' }], search: search || null })
    .then((d) => setData(d.case)).catch((e) => setError(e.message));
  useEffect(() => { load(); }, [caseId, order, search, refresh]);
  const changed = () => { load(); onChanged(); };
  const newFolder = async (e) => {
    e.preventDefault();
    const form = e.target;
    const name = String(new FormData(form).get('name') || '').trim();
    try {
      await gql(FOLDER, { c: caseId, name });
      form.reset();
      setError(null);
      setStatus(t('folder_created', { name }));
      load();
    } catch (err) { setError(err.message); }
  };
  if (!data) return html`<p>${error || t('loading')}</p>`;
  return html`
    <${Uploads} caseId=${caseId} folders=${data.folders} onDone=${changed} />
    <p role="status" class="notice">${status}</p>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    <div class="filters">
      <label for="doc-search">${t('search_documents')}</label>
      <input id="doc-search" type="search" onChange=${(e) => setSearch(e.target.value.trim())} />
      <label for="doc-order">${t('sort_by')}</label>
      <select id="doc-order" value=${order} onChange=${(e) => setOrder(e.target.value)}>
        ${ORDERS.map((o) => html`<option value=${o}>${t(`order_${o}`)}</option>`)}</select>
    </div>
    ${data.documents.length === 0 ? html`<p>${t('no_documents')}</p>` : html`<div class="scroll"><table>
      <caption class="visually-hidden">${t('documents')}</caption>
      <thead><tr><th scope="col">${t('name')}</th><th scope="col">${t('folder')}</th><th scope="col">${t('version')}</th>
        <th scope="col">${t('size')}</th><th scope="col">${t('uploaded_by')}</th><th scope="col">${t('actions')}</th></tr></thead>
      <tbody>${data.documents.map((d) => html`<${Row} key=${d.id} doc=${d} folders=${data.folders} onChanged=${changed} setStatus=${setStatus} />`)}</tbody>
    </table></div>`}
    <form id="folder-form" class="filters" onSubmit=${newFolder}>
      <label for="new-folder">${t('new_folder')}</label>
      <input id="new-folder" name="name" required />
      <button type="submit" class="secondary">${t('create_folder')}</button>
    </form>`;
}
