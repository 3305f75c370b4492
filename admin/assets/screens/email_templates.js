// The emails Portico sends (`/admin/emails?kind=INVITATION&lang=ES`, admins): each kind in each
// language, subject / HTML / text, previewed by the server with sample data as it is typed; an
// error names the part; saving stores it, "back to the default" removes the admin's version.
import { useEffect, useRef, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { say } from '../lib/toast.js';
import { gql } from '../lib/graphql.js';
import { go, path } from '../lib/router.js';

const LIST = `{ emailTemplates { kind language subject html text customised updatedAt variables } }`;
const PREVIEW = `query($k: EmailKind!, $l: EmailLanguage!, $i: EmailTemplateInput!) {
  previewEmailTemplate(kind: $k, language: $l, input: $i) { subject html text } }`;
const SAVE = `mutation($k: EmailKind!, $l: EmailLanguage!, $i: EmailTemplateInput!) {
  updateEmailTemplate(kind: $k, language: $l, input: $i) { customised } }`;
const RESET = `mutation($k: EmailKind!, $l: EmailLanguage!) { resetEmailTemplate(kind: $k, language: $l) { customised } }`;
const PARTS = ['subject', 'html', 'text'];
const REMINDERS = `{ requestReminderSettings { daysBefore onDueDate everyDays } }`;
const SET_REMINDERS = `mutation($b: Int!, $d: Boolean!, $e: Int!) {
  updateRequestReminderSettings(daysBefore: $b, onDueDate: $d, everyDays: $e) { daysBefore onDueDate everyDays } }`;

/** When the reminders of client requests go out: the schedule the reminder email follows. */
function ReminderSchedule() {
  const [form, setForm] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    gql(REMINDERS).then((d) => setForm(d.requestReminderSettings)).catch((e) => setError(e.message));
  }, []);
  if (!form) return html`<p>${error || t('loading')}</p>`;
  const save = async (e) => {
    e.preventDefault();
    try {
      const d = await gql(SET_REMINDERS, { b: Number(form.daysBefore), d: form.onDueDate, e: Number(form.everyDays) });
      setForm(d.updateRequestReminderSettings);
      setError(null);
      say(t('saved'));
    } catch (err) { setError(err.message); }
  };
  return html`<form id="reminder-schedule" class="card stack" onSubmit=${save}>
    <h2>${t('reminders_title')}</h2>
    <p class="hint">${t('reminders_hint')}</p>
    <label for="rem-before">${t('reminders_days_before')}</label>
    <input id="rem-before" type="number" min="0" max="60" value=${form.daysBefore} onInput=${(e) => setForm({ ...form, daysBefore: e.target.value })} />
    <div><input type="checkbox" id="rem-due" checked=${form.onDueDate} onChange=${(e) => setForm({ ...form, onDueDate: e.target.checked })} />
      <label for="rem-due">${t('reminders_on_due_date')}</label></div>
    <label for="rem-every">${t('reminders_every')}</label>
    <input id="rem-every" type="number" min="0" max="60" value=${form.everyDays} onInput=${(e) => setForm({ ...form, everyDays: e.target.value })} />
    ${error && html`<p role="alert" class="error">${error}</p>`}
    <button type="submit">${t('save')}</button>
  </form>`;
}

const DIGEST = `{ clientDigestSettings { sendAt timeZone } me { timeZone } }`;
const SET_DIGEST = `mutation($at: String!, $zone: String) { updateClientDigestSettings(sendAt: $at, timeZone: $zone) { sendAt timeZone } }`;

/** When the clients' daily digest goes out: a time of day in a zone (the admin's own at
 * first). */
function DigestSchedule() {
  const [form, setForm] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    gql(DIGEST).then((d) => setForm({
      sendAt: d.clientDigestSettings.sendAt,
      timeZone: d.clientDigestSettings.timeZone || (d.me && d.me.timeZone) || 'UTC',
    })).catch((e) => setError(e.message));
  }, []);
  if (!form) return html`<p>${error || t('loading')}</p>`;
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [form.timeZone];
  const save = async (e) => {
    e.preventDefault();
    try {
      const d = await gql(SET_DIGEST, { at: form.sendAt, zone: form.timeZone });
      setForm({ sendAt: d.updateClientDigestSettings.sendAt, timeZone: d.updateClientDigestSettings.timeZone || 'UTC' });
      setError(null);
      say(t('saved'));
    } catch (err) { setError(err.message); }
  };
  return html`<form id="digest-schedule" class="card stack" onSubmit=${save}>
    <h2>${t('digest_title')}</h2>
    <p class="hint">${t('digest_lead')}</p>
    <label for="digest-at">${t('digest_time')}</label>
    <input id="digest-at" type="time" step="60" value=${form.sendAt} onInput=${(e) => setForm({ ...form, sendAt: e.target.value })} />
    <label for="digest-zone">${t('digest_zone')}</label>
    <select id="digest-zone" value=${form.timeZone} onChange=${(e) => setForm({ ...form, timeZone: e.target.value })}>
      ${[...new Set(['UTC', ...zones, form.timeZone])].map((z) => html`<option value=${z}>${z}</option>`)}</select>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    <button type="submit">${t('digest_save')}</button>
  </form>`;
}

function Editor({ template, reload, say }) {
  const [source, setSource] = useState({ subject: template.subject, html: template.html, text: template.text });
  const [preview, setPreview] = useState(null);
  const [error, setError] = useState(null);
  // Where a variable chosen from the list goes: the part last typed in, at its cursor.
  const last = useRef({ name: 'html', start: null, end: null });
  const remember = (name) => (e) => { last.current = { name, start: e.target.selectionStart, end: e.target.selectionEnd }; };
  const insert = (variable) => {
    const { name } = last.current;
    const text = source[name];
    const start = last.current.start ?? text.length;
    const end = last.current.end ?? start;
    const tag = `{{ ${variable} }}`;
    setSource((s) => ({ ...s, [name]: text.slice(0, start) + tag + text.slice(end) }));
    const at = start + tag.length;
    last.current = { name, start: at, end: at };
    setTimeout(() => { const el = document.getElementById(`em-${name}`); if (el) { el.focus(); el.setSelectionRange(at, at); } });
  };
  // The server names the line of a mistake: select it in the part, so it is found at once.
  const showLine = (name, message) => {
    const m = /\bline (\d+), column/.exec(message || '');
    const el = document.getElementById(`em-${name}`);
    if (!m || !el || !el.setSelectionRange) return;
    const lines = el.value.split('\n');
    const n = Math.min(Number(m[1]), lines.length) - 1;
    const from = lines.slice(0, n).reduce((sum, l) => sum + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(from, from + lines[n].length);
  };
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      gql(PREVIEW, { k: template.kind, l: template.language, i: source })
        .then((d) => { if (live) { setPreview(d.previewEmailTemplate); setError(null); } })
        .catch((e) => { if (live) setError({ field: e.field, message: e.message }); });
    }, 250);
    return () => { live = false; clearTimeout(timer); };
  }, [source]);
  const save = async (e) => {
    e.preventDefault();
    try {
      await gql(SAVE, { k: template.kind, l: template.language, i: source });
      setError(null);
      say(t('email_saved'));
      reload();
    } catch (err) { setError({ field: err.field, message: err.message }); }
  };
  const reset = async () => {
    try {
      await gql(RESET, { k: template.kind, l: template.language });
      say(t('email_reset'));
      reload();
    } catch (err) { setError({ field: null, message: err.message }); }
  };
  const part = (name, rows) => {
    const bad = error && error.field === name;
    const attrs = { id: `em-${name}`, value: source[name],
      onInput: (e) => { remember(name)(e); setSource((s) => ({ ...s, [name]: e.target.value })); },
      onKeyUp: remember(name), onClick: remember(name), onFocus: remember(name),
      'aria-invalid': bad ? 'true' : undefined, 'aria-describedby': bad ? `em-${name}-error` : undefined };
    return html`<label for=${`em-${name}`}>${t(`email_${name}`)}</label>
      ${rows ? html`<textarea rows=${rows} class="code" ...${attrs}></textarea>` : html`<input ...${attrs} />`}
      ${bad && html`<p class="error" id=${`em-${name}-error`}>${error.message}
        ${/\bline \d+, column/.test(error.message) && html` <button type="button" class="link" onClick=${() => showLine(name, error.message)}>${t('email_show_line')}</button>`}</p>`}`;
  };
  return html`<div class="split">
    <form class="stack wide-form" id="email-form" onSubmit=${save} novalidate>
      <p class="hint">${template.customised ? t('email_customised') : t('email_builtin')}</p>
      <div class="variables" role="group" aria-labelledby="em-variables-title">
        <p id="em-variables-title"><strong>${t('email_variables_title')}</strong> <span class="hint">${t('email_variables_hint')}</span></p>
        <ul>${(template.variables || []).map((v) => html`<li><button type="button" class="chip" onClick=${() => insert(v)}
          aria-label=${t('email_insert_variable', { name: v })}><code>${`{{ ${v} }}`}</code></button></li>`)}</ul>
      </div>
      ${part('subject')}${part('html', 12)}${part('text', 8)}
      ${error && !PARTS.includes(error.field) && html`<p role="alert" class="error">${error.message}</p>`}
      <div class="buttons"><button type="submit">${t('save')}</button>
        ${template.customised && html`<button type="button" class="secondary" onClick=${reset}>${t('email_back_to_default')}</button>`}</div>
    </form>
    <section aria-labelledby="preview-title" class="preview">
      <h2 id="preview-title">${t('email_preview')}</h2>
      ${preview === null ? html`<p>${t('loading')}</p>` : html`
        <p><strong>${t('email_subject')}:</strong> <span id="preview-subject">${preview.subject}</span></p>
        <iframe sandbox="" title=${t('email_preview_html')} srcdoc=${preview.html}></iframe>
        <details><summary>${t('email_text')}</summary><pre>${preview.text}</pre></details>`}
    </section>
  </div>`;
}

export function EmailTemplates() {
  const q = new URLSearchParams(path.value.split('?')[1] || '');
  const [list, setList] = useState(null);
  const setStatus = say;
  const [error, setError] = useState(null);
  const load = () => gql(LIST).then((d) => setList(d.emailTemplates)).catch((e) => setError(e.message));
  useEffect(() => { load(); }, []);
  if (!list) return html`<h1>${t('emails')}</h1><p>${error || t('loading')}</p>`;
  const kinds = [...new Set(list.map((x) => x.kind))];
  const kind = kinds.includes(q.get('kind')) ? q.get('kind') : kinds[0];
  const language = ['ES', 'EN'].includes(q.get('lang')) ? q.get('lang') : 'ES';
  const template = list.find((x) => x.kind === kind && x.language === language);
  const choose = (k, l) => go(`/admin/emails?kind=${k}&lang=${l}`, { replace: true });
  return html`
    <h1>${t('emails')}</h1>
    <div class="filters">
      <label for="em-kind">${t('email_kind')}</label>
      <select id="em-kind" value=${kind} onChange=${(e) => choose(e.target.value, language)}>
        ${kinds.map((k) => html`<option value=${k}>${t(`email_kind_${k}`)}${list.some((x) => x.kind === k && x.customised) ? ` (${t('customised')})` : ''}</option>`)}</select>
      <label for="em-lang">${t('email_language')}</label>
      <select id="em-lang" value=${language} onChange=${(e) => choose(kind, e.target.value)}>
        <option value="ES">Español</option><option value="EN">English</option></select>
    </div>
    ${kind === 'CLIENT_REQUEST_REMINDER' && html`<${ReminderSchedule} />`}
    ${kind === 'CLIENT_DIGEST' && html`<${DigestSchedule} />`}
    ${template && html`<${Editor} key=${`${kind}-${language}-${template.updatedAt || ''}-${template.customised}`} template=${template} reload=${load} say=${setStatus} />`}`;
}
