// Checking a signed document (`/admin/verify`): a PDF someone holds is matched by its exact
// bytes against those Portico signed, and the screen says who signed it and when, or that it
// was not signed here or was changed after.
import { useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, when } from '../lib/i18n.js';
import { upload } from '../lib/upload.js';

const VERIFY = `mutation($file: Upload!) { verifySignedDocument(file: $file) { contact { name } declaredName signedAt } }`;

export function Verify() {
  const [file, setFile] = useState(null);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const check = async (e) => {
    e.preventDefault();
    if (!file) return;
    try {
      const d = await upload(VERIFY, {}, 'file', file, () => {});
      setResult({ name: file.name, found: d.verifySignedDocument });
      setError(null);
    } catch (err) { setError(err.message); }
  };
  return html`
    <h1>${t('verify_title')}</h1>
    <p class="hint">${t('verify_lead')}</p>
    <form id="verify-form" class="stack card" onSubmit=${check}>
      <label for="verify-file">${t('verify_file')}</label>
      <input id="verify-file" type="file" accept="application/pdf" onChange=${(e) => setFile(e.target.files[0] || null)} />
      ${error && html`<p role="alert" class="error">${error}</p>`}
      <button type="submit" disabled=${!file}>${t('verify_submit')}</button>
    </form>
    <div role="status">${result && (result.found.length > 0
      ? html`<section class="card"><h2>${t('verify_signed', { name: result.name })}</h2><ol>${result.found.map((s) => html`
          <li>${s.contact.name}${s.declaredName ? ` (“${s.declaredName}”)` : ''}: ${when(s.signedAt)}</li>`)}</ol></section>`
      : html`<p class="error">${t('verify_not_signed', { name: result.name })}</p>`)}</div>`;
}
