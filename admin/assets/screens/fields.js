// The field editor of one entity (`/admin/fields/<ENTITY>`): the active fields by block in the
// admin's order (drag a row, or use its move buttons, within and between blocks), the inactive
// ones below (where `portalUser` waits to be switched on), an editor for the chosen field
// (label, help, required, block, options), a live preview of the staff form and, for cases, of
// the client's New-case form, and a form for a new field whose key is suggested from its label.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, builtin, fieldLabel } from '../lib/i18n.js';
import { say } from '../lib/toast.js';
import { Link } from '../lib/router.js';
import { gql } from '../lib/graphql.js';
import { byBlock, fieldTypes, withTypes } from '../lib/records.js';
import { RecordForm } from '../parts/record_form.js';
import { FieldEditor } from './field_editor.js';

export const ENTITIES = ['CONTACT', 'CASE', 'DEAL', 'DOCUMENT'];
const KEY = /^[a-z][A-Za-z0-9]{0,62}$/;
const FIELDS = `query($e: EntityKind!) { fieldDefinitions(entity: $e, includeInactive: true) {
  key label type options optionValues defaultOption closedOptions closable optionsFixed
  required active system block position help portalVisible portalEditable labels { es en } helps { es en } optionLabels { option es en } } }`;
const UPDATE = `mutation($e: EntityKind!, $k: String!, $i: UpdateFieldDefinitionInput!) {
  updateFieldDefinition(entity: $e, key: $k, input: $i) { key } }`;
const CREATE = `mutation($i: CreateFieldDefinitionInput!) { createFieldDefinition(input: $i) { key label } }`;

/** A camelCase key from a label: "Fecha de firma" -> "fechaDeFirma". */
export function suggestKey(label) {
  const words = label.normalize('NFD').replace(/[\u0300-\u036f]/g, '').split(/[^A-Za-z0-9]+/).filter(Boolean);
  const key = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join('');
  return /^[a-z]/.test(key) ? key.slice(0, 63) : '';
}

/** The active fields after moving `key` to sit before `before` (a key) in `block`, or at the
 * block's end when `before` is null. */
export function moved(active, key, block, before) {
  const field = active.find((f) => f.key === key);
  const rest = active.filter((f) => f.key !== key);
  const blocks = byBlock(rest);
  if (!blocks.some((b) => b.name === block)) blocks.push({ name: block, fields: [] });
  const target = blocks.find((b) => b.name === block);
  const at = before ? target.fields.findIndex((f) => f.key === before) : -1;
  target.fields.splice(at < 0 ? target.fields.length : at, 0, { ...field, block });
  return blocks.flatMap((b) => b.fields);
}

/** One step up or down in the order as shown, crossing into the next block at its edge. */
function stepped(active, key, delta) {
  const blocks = byBlock(active);
  const bi = blocks.findIndex((b) => b.fields.some((f) => f.key === key));
  const fi = blocks[bi].fields.findIndex((f) => f.key === key);
  const within = blocks[bi].fields[fi + delta];
  if (within) return moved(active, key, blocks[bi].name, delta < 0 ? within.key : (blocks[bi].fields[fi + 2] || {}).key || null);
  const next = blocks[bi + delta];
  if (!next) return null;
  return moved(active, key, next.name, delta < 0 ? null : (next.fields[0] || {}).key || null);
}

function Toggle({ field, prop, label, onChange }) {
  const id = `${prop}-${field.key}`;
  return html`<span class="toggle">
    <input type="checkbox" id=${id} checked=${field[prop]} onChange=${(e) => onChange(field, prop, e.target.checked)} />
    <label for=${id}>${label}<span class="visually-hidden">: ${fieldLabel(field)}</span></label></span>`;
}

function Row({ field, onChange, onEdit, onStep, drag, chosen }) {
  const name = fieldLabel(field);
  return html`<tr class=${chosen ? 'chosen' : ''} draggable=${drag ? 'true' : undefined}
      onDragStart=${drag && ((e) => { e.dataTransfer.setData('text/plain', field.key); e.dataTransfer.effectAllowed = 'move'; })}
      onDragOver=${drag && ((e) => e.preventDefault())}
      onDrop=${drag && ((e) => { e.preventDefault(); e.stopPropagation(); drag(e.dataTransfer.getData('text/plain'), field); })}>
    <th scope="row">${drag && html`<span class="handle" aria-hidden="true">⠿</span> `}${name}${field.system && html` <span class="tag">${t('system')}</span>`}
      <br /><code class="hint">${field.key}</code> <span class="hint">${t(`type_${field.type}`)}</span></th>
    <td><${Toggle} field=${field} prop="active" label=${t('active')} onChange=${onChange} /></td>
    <td><${Toggle} field=${field} prop="portalVisible" label=${t('portal_visible')} onChange=${onChange} /></td>
    <td><${Toggle} field=${field} prop="portalEditable" label=${t('portal_editable')} onChange=${onChange} /></td>
    <td class="actions">
      ${onStep && html`<button type="button" class="icon-text" id=${`up-${field.key}`} onClick=${() => onStep(field, -1)} aria-label=${t('move_up', { name })}>↑</button>
        <button type="button" class="icon-text" id=${`down-${field.key}`} onClick=${() => onStep(field, 1)} aria-label=${t('move_down', { name })}>↓</button>`}
      <button type="button" class="link" id=${`edit-${field.key}`} onClick=${() => onEdit(field)}>${t('edit')}<span class="visually-hidden"> ${name}</span></button>
    </td>
  </tr>`;
}

/** A table of fields, named by its `caption` or, under a heading that already names it, by
 * that heading (`labelledBy`), so the words are not shown twice. */
function Table({ fields, caption, labelledBy, chosen, ...rest }) {
  return html`<div class="scroll"><table class="fields" aria-labelledby=${labelledBy}>
    ${caption && html`<caption>${caption}</caption>`}
    <thead><tr><th scope="col">${t('label')}</th><th scope="col">${t('active')}</th><th scope="col">${t('portal_visible')}</th>
      <th scope="col">${t('portal_editable')}</th><th scope="col">${t('actions')}</th></tr></thead>
    <tbody>${fields.map((f) => html`<${Row} key=${f.key} field=${f} chosen=${chosen === f.key} ...${rest} />`)}</tbody>
  </table></div>`;
}

function NewField({ entity, types, onCreated }) {
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
    const spec = types.find((ty) => ty.type === type);
    if (spec && spec.hasOptions) {
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
  return html`<form class="stack card" id="new-field" onSubmit=${submit} novalidate>
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
      ${types.map((ty) => html`<option value=${ty.type}>${t(`type_${ty.type}`)}</option>`)}
    </select>
    ${types.some((ty) => ty.type === type && ty.hasOptions) && html`
      <label for="nf-options">${t('options')}</label>
      <textarea id="nf-options" name="options" rows="4" aria-describedby=${errors.options ? 'e-options' : undefined}></textarea>
      ${err('options')}`}
    <label for="nf-help">${t('help')}</label>
    <input id="nf-help" name="help" />
    <span><input type="checkbox" id="nf-required" name="required" /> <label for="nf-required">${t('required')}</label></span>
    <button type="submit">${t('create')}</button>
  </form>`;
}

/** The staff form and, for cases, the client's New-case form, as the fields stand in the
 * editor (the change being edited included, before it is saved). */
function Preview({ entity, fields }) {
  const staff = fields.filter((f) => f.active);
  const client = staff.filter((f) => f.portalEditable && f.spec.portalInput);
  return html`<section class="card preview" aria-labelledby="pv-title">
    <h2 id="pv-title">${t('preview')}</h2>
    <h3>${t('preview_staff')}</h3>
    <${RecordForm} key=${JSON.stringify(staff)} entity=${entity} defs=${staff} record=${null} idPrefix="pv-" disabled=${true}
      save=${async () => {}} submitLabel=${t('preview_only')} />
    ${entity === 'CASE' && html`<h3>${t('preview_client')}</h3>
      <div class="portal-look">${client.length === 0 ? html`<p>${t('preview_client_none')}</p>`
        : html`<${RecordForm} key=${JSON.stringify(client)} entity=${entity} defs=${client} record=${null} idPrefix="pc-" disabled=${true}
          save=${async () => {}} submitLabel=${t('preview_send_case')} />`}</div>`}
  </section>`;
}

export function Fields({ entity }) {
  const [fields, setFields] = useState(null);
  const setStatus = say;
  const [error, setError] = useState(null);
  const [editing, setEditing] = useState(null);
  const [draft, setDraft] = useState(null);
  const [types, setTypes] = useState([]);
  useEffect(() => { fieldTypes().then(setTypes).catch((e) => setError(e.message)); }, []);
  const load = () => gql(FIELDS, { e: entity }).then((d) => withTypes(d.fieldDefinitions)).then(setFields).catch((e) => setError(e.message));
  useEffect(() => { setFields(null); setEditing(null); setDraft(null); load(); }, [entity]);
  const change = async (field, prop, value) => {
    try {
      await gql(UPDATE, { e: entity, k: field.key, i: { [prop]: value } });
      setError(null);
      setStatus(t('saved_field', { label: fieldLabel(field) }));
    } catch (e) {
      say(e.message, 'error');
    }
    load();
  };
  /** Saves a new order: every field whose block or place changed, in one request. */
  const reorder = async (order, label) => {
    const changed = order.map((f, i) => ({ f, position: (i + 1) * 10 }))
      .filter(({ f, position }) => {
        const was = fields.find((x) => x.key === f.key);
        return was.position !== position || was.block !== f.block;
      });
    if (changed.length === 0) return;
    const vars = { e: entity };
    const decl = ['$e: EntityKind!'];
    const calls = changed.map(({ f, position }, i) => {
      vars[`k${i}`] = f.key;
      vars[`i${i}`] = { position, block: f.block };
      decl.push(`$k${i}: String!`, `$i${i}: UpdateFieldDefinitionInput!`);
      return `m${i}: updateFieldDefinition(entity: $e, key: $k${i}, input: $i${i}) { key }`;
    });
    setFields((old) => [...order.map((f, i) => ({ ...f, position: (i + 1) * 10 })), ...old.filter((f) => !f.active)]);
    try {
      await gql(`mutation(${decl.join(', ')}) { ${calls.join(' ')} }`, vars);
      setError(null);
      setStatus(label);
    } catch (e) {
      say(e.message, 'error');
    }
    load();
  };
  const created = (label) => { setStatus(t('created', { label })); load(); };
  const name = t(`entity_${entity}`);
  const all = fields || [];
  const active = all.filter((f) => f.active);
  const inactive = all.filter((f) => !f.active);
  const step = (field, delta) => {
    const order = stepped(active, field.key, delta);
    if (!order) return;
    const place = order.find((f) => f.key === field.key);
    reorder(order, t('moved_to', { name: fieldLabel(field), block: builtin(place.block), n: byBlock(order).find((b) => b.name === place.block).fields.indexOf(place) + 1 }));
    setTimeout(() => { const b = document.getElementById(`${delta < 0 ? 'up' : 'down'}-${field.key}`); if (b) b.focus(); });
  };
  const drop = (key, target) => {
    const field = active.find((f) => f.key === key);
    if (!field || key === target.key) return;
    reorder(moved(active, key, target.block, target.key), t('moved_to', { name: fieldLabel(field), block: builtin(target.block),
      n: byBlock(active).find((b) => b.name === target.block).fields.indexOf(target) + 1 }));
  };
  const dropOnBlock = (e, block) => {
    e.preventDefault();
    const key = e.dataTransfer.getData('text/plain');
    const field = active.find((f) => f.key === key);
    if (field) reorder(moved(active, key, block, null), t('moved_to_end', { name: fieldLabel(field), block: builtin(block) }));
  };
  const editingField = all.find((f) => f.key === editing);
  const shown = draft ? all.map((f) => (f.key === draft.key ? { ...f, ...draft } : f)) : all;
  const blocks = [...new Set(all.map((f) => f.block))];
  return html`
    <h1>${t('fields_title', { entity: name })}</h1>
    <nav aria-label=${t('entity_tabs')} class="tabs"><ul>
      ${ENTITIES.map((e) => html`<li><${Link} href=${`/admin/fields/${e}`} aria-current=${e === entity ? 'page' : undefined}>${t(`entity_tab_${e}`)}</${Link}></li>`)}
    </ul></nav>
    <p class="hint">${t('system_why')} ${t('reorder_hint')}</p>
    <p class="hint" id="portal-states">${t('portal_states')}</p>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${fields === null ? html`<p>${t('loading')}</p>` : html`<div class="split">
      <div>
        ${byBlock(active).map((b) => html`<section class="block" onDragOver=${(e) => e.preventDefault()} onDrop=${(e) => dropOnBlock(e, b.name)}>
          <${Table} caption=${`${t('block')}: ${builtin(b.name)}`} fields=${b.fields} onChange=${change} onEdit=${(f) => { setEditing(f.key); setDraft(null); }}
            onStep=${step} drag=${drop} chosen=${editing} /></section>`)}
        <section class="block" aria-labelledby="inactive-title"><h2 id="inactive-title">${t('inactive_fields')}</h2>
          ${inactive.length === 0 ? html`<p>${t('inactive_none')}</p>` : html`<${Table} labelledBy="inactive-title" fields=${inactive}
            onChange=${change} onEdit=${(f) => { setEditing(f.key); setDraft(null); }} chosen=${editing} />`}
        </section>
        <${NewField} entity=${entity} types=${types} onCreated=${created} />
      </div>
      <div>
        ${editingField && html`<${FieldEditor} key=${[editingField.key, editingField.label, ...editingField.options,
          editingField.defaultOption, ...editingField.closedOptions].join('|')} entity=${entity}
          field=${editingField} blocks=${blocks} onDraft=${setDraft}
          onSaved=${(label) => { setStatus(t('saved_field', { label: fieldLabel({ ...editingField, label }) })); setDraft(null); load(); }}
          onClose=${() => { setEditing(null); setDraft(null); }} />`}
        <${Preview} entity=${entity} fields=${shown} />
      </div>
    </div>`}`;
}
