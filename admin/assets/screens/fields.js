// The field editor of one entity (`/admin/fields/<ENTITY>`): the active fields by block in the
// admin's order, the inactive ones below (where `portalUser` waits to be switched on), and a
// form for a new field whose key is suggested from its label and checked as it is typed.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, builtin } from '../lib/i18n.js';
import { Link } from '../lib/router.js';
import { gql } from '../lib/graphql.js';

export const ENTITIES = ['CONTACT', 'CASE', 'DEAL', 'DOCUMENT'];
const TYPES = ['TEXT', 'TEXTAREA', 'NUMBER', 'DECIMAL', 'BOOLEAN', 'DATE', 'DATETIME', 'EMAIL',
  'PHONE', 'URL', 'SELECT', 'MULTISELECT', 'USER', 'CONTACT'];
const KEY = /^[a-z][A-Za-z0-9]{0,62}$/;
const FIELDS = `query($e: EntityKind!) { fieldDefinitions(entity: $e, includeInactive: true) {
  key label type options required active system block position help portalVisible portalEditable } }`;
const UPDATE = `mutation($e: EntityKind!, $k: String!, $i: UpdateFieldDefinitionInput!) {
  updateFieldDefinition(entity: $e, key: $k, input: $i) { key } }`;
const CREATE = `mutation($i: CreateFieldDefinitionInput!) { createFieldDefinition(input: $i) { key label } }`;

/** A camelCase key from a label: "Fecha de firma" -> "fechaDeFirma". */
export function suggestKey(label) {
  const words = label.normalize('NFD').replace(/[\u0300-\u036f]/g, '').split(/[^A-Za-z0-9]+/).filter(Boolean);
  const key = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join('');
  return /^[a-z]/.test(key) ? key.slice(0, 63) : '';
}

function byBlock(fields) {
  const blocks = [];
  for (const f of fields) {
    let b = blocks.find((x) => x.name === f.block);
    if (!b) blocks.push((b = { name: f.block, fields: [] }));
    b.fields.push(f);
  }
  return blocks;
}

function Toggle({ field, prop, label, onChange }) {
  const id = `${prop}-${field.key}`;
  return html`<span class="toggle">
    <input type="checkbox" id=${id} checked=${field[prop]} onChange=${(e) => onChange(field, prop, e.target.checked)} />
    <label for=${id}>${label}<span class="visually-hidden">: ${builtin(field.label)}</span></label></span>`;
}

function Row({ field, onChange }) {
  return html`<tr>
    <th scope="row">${builtin(field.label)}${field.system && html` <span class="tag">${t('system')}</span>`}</th>
    <td><code>${field.key}</code></td>
    <td>${t(`type_${field.type}`)}</td>
    <td><${Toggle} field=${field} prop="active" label=${t('active')} onChange=${onChange} /></td>
    <td><${Toggle} field=${field} prop="portalVisible" label=${t('portal_visible')} onChange=${onChange} /></td>
    <td><${Toggle} field=${field} prop="portalEditable" label=${t('portal_editable')} onChange=${onChange} /></td>
  </tr>`;
}

function Table({ fields, onChange, caption }) {
  return html`<div class="scroll"><table>
    <caption>${caption}</caption>
    <thead><tr><th scope="col">${t('label')}</th><th scope="col">${t('key')}</th><th scope="col">${t('type')}</th>
      <th scope="col">${t('active')}</th><th scope="col">${t('portal_visible')}</th><th scope="col">${t('portal_editable')}</th></tr></thead>
    <tbody>${fields.map((f) => html`<${Row} key=${f.key} field=${f} onChange=${onChange} />`)}</tbody>
  </table></div>`;
}

function NewField({ entity, onCreated }) {
  const [label, setLabel] = useState('');
  const [key, setKey] = useState('');
  const [keyTouched, setKeyTouched] = useState(false);
  const [type, setType] = useState('TEXT');
  const [errors, setErrors] = useState({});
  const shownKey = keyTouched ? key : suggestKey(label);
  const keyError = shownKey && !KEY.test(shownKey) ? t('key_invalid') : errors.key;
  const submit = async (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    const input = { entity, key: shownKey, label, type, required: form.get('required') === 'on', help: form.get('help') || null };
    if (type === 'SELECT' || type === 'MULTISELECT') {
      input.options = String(form.get('options') || '').split('\n').map((o) => o.trim()).filter(Boolean);
    }
    try {
      const data = await gql(CREATE, { i: input });
      setErrors({});
      setLabel(''); setKey(''); setKeyTouched(false);
      e.target.reset();
      onCreated(data.createFieldDefinition.label);
    } catch (err) {
      setErrors({ [err.field || 'label']: err.message });
    }
  };
  const err = (name) => errors[name] && html`<p class="error" id=${`e-${name}`}>${errors[name]}</p>`;
  return html`<form class="stack card" onSubmit=${submit} novalidate>
    <h2>${t('new_field')}</h2>
    <label for="nf-label">${t('label')}</label>
    <input id="nf-label" value=${label} onInput=${(e) => setLabel(e.target.value)} required
      aria-invalid=${errors.label ? 'true' : undefined} aria-describedby=${errors.label ? 'e-label' : undefined} />
    ${err('label')}
    <label for="nf-key">${t('key')}</label>
    <input id="nf-key" value=${shownKey} onInput=${(e) => { setKeyTouched(true); setKey(e.target.value); }}
      aria-invalid=${keyError ? 'true' : undefined} aria-describedby=${keyError ? 'nf-key-hint e-key' : 'nf-key-hint'} />
    <p class="hint" id="nf-key-hint">${t('key_hint')}</p>
    ${keyError && html`<p class="error" id="e-key">${keyError}</p>`}
    <label for="nf-type">${t('type')}</label>
    <select id="nf-type" value=${type} onChange=${(e) => setType(e.target.value)}>
      ${TYPES.map((ty) => html`<option value=${ty}>${t(`type_${ty}`)}</option>`)}
    </select>
    ${(type === 'SELECT' || type === 'MULTISELECT') && html`
      <label for="nf-options">${t('options')}</label>
      <textarea id="nf-options" name="options" rows="4" aria-describedby=${errors.options ? 'e-options' : undefined}></textarea>
      ${err('options')}`}
    <label for="nf-help">${t('help')}</label>
    <input id="nf-help" name="help" />
    <span><input type="checkbox" id="nf-required" name="required" /> <label for="nf-required">${t('required')}</label></span>
    <button type="submit">${t('create')}</button>
  </form>`;
}

export function Fields({ entity }) {
  const [fields, setFields] = useState(null);
  const [status, setStatus] = useState('');
  const [error, setError] = useState(null);
  const load = () => gql(FIELDS, { e: entity }).then((d) => setFields(d.fieldDefinitions)).catch((e) => setError(e.message));
  useEffect(() => { setFields(null); load(); }, [entity]);
  const change = async (field, prop, value) => {
    try {
      await gql(UPDATE, { e: entity, k: field.key, i: { [prop]: value } });
      setError(null);
      setStatus(t('saved_field', { label: builtin(field.label) }));
    } catch (e) {
      setError(e.message);
    }
    load();
  };
  const created = (label) => { setStatus(t('created', { label })); load(); };
  const name = t(`entity_${entity}`);
  const active = (fields || []).filter((f) => f.active);
  const inactive = (fields || []).filter((f) => !f.active);
  return html`
    <h1>${t('fields_title', { entity: name })}</h1>
    <nav aria-label=${t('entity_tabs')} class="tabs"><ul>
      ${ENTITIES.map((e) => html`<li><${Link} href=${`/admin/fields/${e}`} aria-current=${e === entity ? 'page' : undefined}>${t(`entity_${e}`)}</${Link}></li>`)}
    </ul></nav>
    <p class="hint">${t('system_why')}</p>
    <p role="status" class="notice">${status}</p>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${fields === null ? html`<p>${t('loading')}</p>` : html`
      ${byBlock(active).map((b) => html`<section class="block"><${Table} caption=${`${t('block')}: ${builtin(b.name)}`} fields=${b.fields} onChange=${change} /></section>`)}
      <section class="block"><h2>${t('inactive_fields')}</h2>
        ${inactive.length === 0 ? html`<p>${t('inactive_none')}</p>` : html`<${Table} caption=${t('inactive_fields')} fields=${inactive} onChange=${change} />`}
      </section>
      <${NewField} entity=${entity} onCreated=${created} />`}`;
}
