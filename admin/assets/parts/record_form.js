// The create and edit form of a contact, case or deal, generated from the active field
// definitions: one widget per type, grouped by block in the admin's order. The server checks
// everything; its error names the field (`extensions.field`), which is marked where it is, and
// what was typed stays.
import { useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, builtin, fieldLabel, fieldHelp, optionText } from '../lib/i18n.js';
import { optionValue, pickerKind, startValue, toForm, toInput, editable, byBlock } from '../lib/records.js';
import { Picker } from './picker.js';

function Widget({ def, value, set, error, idPrefix }) {
  const id = `${idPrefix}${def.key}`;
  const help = fieldHelp(def);
  const described = [help && `${id}-help`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const invalid = error ? 'true' : undefined;
  const label = html`<label for=${id}>${fieldLabel(def)}${def.required && html` <span aria-hidden="true">*</span><span class="visually-hidden"> (${t('required')})</span>`}</label>`;
  const after = html`
    ${help && html`<p class="hint" id=${`${id}-help`}>${help}</p>`}
    ${error && html`<p class="error" id=${`${id}-error`}>${error}</p>`}`;
  switch (def.spec.input) {
    case 'checkbox':
      return html`<div class="field check">
        <input type="checkbox" id=${id} checked=${value} onChange=${(e) => set(e.target.checked)} aria-describedby=${described} aria-invalid=${invalid} />
        ${label}${after}</div>`;
    case 'textarea':
      return html`<div class="field">${label}
        <textarea id=${id} rows="4" value=${value} onInput=${(e) => set(e.target.value)} aria-describedby=${described} aria-invalid=${invalid}></textarea>${after}</div>`;
    case 'select':
      return html`<div class="field">${label}
        <select id=${id} value=${value} onChange=${(e) => set(e.target.value)} aria-describedby=${described} aria-invalid=${invalid}>
          <option value="">${t('none_chosen')}</option>
          ${def.options.map((o) => html`<option value=${optionValue(def, o)}>${optionText(def, o)}</option>`)}
        </select>${after}</div>`;
    case 'checkboxes':
      return html`<fieldset class="field" id=${id} aria-describedby=${described}>
        <legend>${fieldLabel(def)}</legend>
        ${def.options.map((o, i) => html`<span class="check">
          <input type="checkbox" id=${`${id}-${i}`} checked=${value.includes(optionValue(def, o))}
            onChange=${(e) => set(e.target.checked ? [...value, optionValue(def, o)] : value.filter((v) => v !== optionValue(def, o)))} />
          <label for=${`${id}-${i}`}>${optionText(def, o)}</label></span>`)}
        ${after}</fieldset>`;
    case 'user': case 'contact':
      return html`<div class="field">${label}
        <${Picker} kind=${pickerKind(def)} id=${id} value=${value} onChange=${set} describedBy=${described} invalid=${Boolean(error)} />${after}</div>`;
    default:
      return html`<div class="field">${label}
        <input id=${id} type=${def.spec.input === 'decimal' ? 'number' : def.spec.input} step=${def.spec.input === 'decimal' ? 'any' : undefined}
          value=${value} onInput=${(e) => set(e.target.value)} aria-describedby=${described} aria-invalid=${invalid} />${after}</div>`;
  }
}

/** `record` is the stored record (edit) or null (new, starting from `prefill`). `save(input)` runs the mutation; only
 * changed fields are sent on an edit, so a field someone else changed meanwhile is kept. */
export function RecordForm({ entity, defs, record, prefill = {}, save, submitLabel, idPrefix = 'f-', extra = null, disabled = false }) {
  const fields = defs.filter((d) => editable(entity, d));
  const initial = () => Object.fromEntries(fields.map((d) => [d.key,
    toForm(d, record ? record[d.key] : (prefill[d.key] ?? startValue(d)))]));
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState({});
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    const start = initial();
    const input = {};
    for (const d of fields) {
      if (record && JSON.stringify(values[d.key]) === JSON.stringify(start[d.key])) continue;
      input[d.key] = toInput(d, values[d.key]);
    }
    setBusy(true);
    try {
      await save(input);
      setErrors({});
      setProblem(null);
    } catch (err) {
      if (err.field && fields.some((d) => d.key === err.field)) {
        setErrors({ [err.field]: err.message });
        setProblem(null);
        const el = document.getElementById(`${idPrefix}${err.field}`);
        if (el) el.focus();
      } else {
        setErrors({});
        setProblem(err);
      }
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="record" onSubmit=${submit} novalidate><fieldset class="bare" disabled=${disabled}>
    ${byBlock(fields).map((b) => html`<fieldset class="block">
      <legend>${builtin(b.name)}</legend>
      ${b.fields.map((d) => html`<${Widget} key=${d.key} def=${d} value=${values[d.key]} error=${errors[d.key]} idPrefix=${idPrefix}
        set=${(v) => setValues((old) => ({ ...old, [d.key]: v }))} />`)}
    </fieldset>`)}
    ${extra}
    ${problem && html`<p role="alert" class="error">${problem.message}</p>`}
    ${Object.keys(errors).length > 0 && html`<p role="alert" class="error">${t('form_has_errors')}</p>`}
    <button type="submit" disabled=${busy}>${submitLabel}</button>
  </fieldset></form>`;
}
