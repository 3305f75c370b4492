// Editing one field: label, help, required, block and, for lists, the options (add, rename,
// reorder, remove), which one new records take and, for a case's status or a deal's stage,
// which ones mean closed (what the portal home and the indicators go by, whatever the
// labels say). An option records hold cannot be removed: the editor says how many hold it
// and links to them. Every change shows in the preview before it is saved.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, lang, builtin, fieldLabel } from '../lib/i18n.js';
import { gql } from '../lib/graphql.js';
import { Link } from '../lib/router.js';
import { KINDS, optionValue } from '../lib/records.js';

const USAGE = `query($e: EntityKind!, $k: String!) { fieldOptionUsage(entity: $e, key: $k) { option count } }`;
const RENAME = `mutation($e: EntityKind!, $k: String!, $f: String!, $t: String!) {
  renameFieldOption(entity: $e, key: $k, from: $f, to: $t) { key } }`;
const UPDATE = `mutation($e: EntityKind!, $k: String!, $i: UpdateFieldDefinitionInput!) {
  updateFieldDefinition(entity: $e, key: $k, input: $i) { key label } }`;
const NEW_BLOCK = '\u0000new';

export function FieldEditor({ entity, field, blocks, onDraft, onSaved, onClose }) {
  const lists = field.spec.hasOptions;
  const single = field.spec.value === 'OPTION';
  // The stored label, not its translation: saving other changes must not rename a field
  // Portico ships into one language.
  const [label, setLabel] = useState(field.label);
  const [help, setHelp] = useState(field.help || '');
  // Each language's own text; empty means the text above (translated, for a shipped label).
  const [labels, setLabels] = useState({ es: (field.labels && field.labels.es) || '', en: (field.labels && field.labels.en) || '' });
  const [helps, setHelps] = useState({ es: (field.helps && field.helps.es) || '', en: (field.helps && field.helps.en) || '' });
  const [required, setRequired] = useState(field.required);
  const [block, setBlock] = useState(field.block);
  const [newBlock, setNewBlock] = useState('');
  const ownLabel = (o, l) => ((field.optionLabels || []).find((x) => x.option === o) || {})[l] || '';
  const [options, setOptions] = useState(field.options.map((o) => ({ orig: o, name: o, closed: field.closedOptions.includes(o), es: ownLabel(o, 'es'), en: ownLabel(o, 'en') })));
  const [defaultOpt, setDefaultOpt] = useState(field.defaultOption ? field.options.indexOf(field.defaultOption) : -1);
  const editable = lists && !field.optionsFixed;
  const [added, setAdded] = useState('');
  const [usage, setUsage] = useState({});
  const [held, setHeld] = useState(null);
  const [errors, setErrors] = useState({});
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!lists) return;
    gql(USAGE, { e: entity, k: field.key })
      .then((d) => setUsage(Object.fromEntries(d.fieldOptionUsage.map((u) => [u.option, u.count])))).catch(() => {});
  }, [field.key]);
  const chosenBlock = block === NEW_BLOCK ? newBlock.trim() : block;
  useEffect(() => {
    onDraft({ key: field.key, label, help, required, block: chosenBlock || field.block, options: options.map((o) => o.name.trim()).filter(Boolean) });
  }, [label, help, required, chosenBlock, options]);
  const move = (i, delta) => {
    const j = i + delta;
    if (j < 0 || j >= options.length) return;
    const next = [...options];
    [next[i], next[j]] = [next[j], next[i]];
    setOptions(next);
    if (defaultOpt === i) setDefaultOpt(j); else if (defaultOpt === j) setDefaultOpt(i);
    setTimeout(() => { const b = document.getElementById(`opt-${delta < 0 ? 'up' : 'down'}-${j}`); if (b) b.focus(); });
  };
  const remove = (i) => {
    const o = options[i];
    if (o.orig && usage[o.orig] > 0) { setHeld({ option: o.orig, count: usage[o.orig] }); return; }
    setHeld(null);
    setOptions(options.filter((_, j) => j !== i));
    if (defaultOpt === i) setDefaultOpt(-1); else if (defaultOpt > i) setDefaultOpt(defaultOpt - 1);
  };
  const add = () => {
    const name = added.trim();
    if (!name) return;
    setOptions([...options, { orig: null, name, closed: false, es: '', en: '' }]);
    setAdded('');
  };
  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    try {
      for (const [i, o] of options.entries()) {
        if (o.orig && o.name.trim() && o.name.trim() !== o.orig) {
          try {
            await gql(RENAME, { e: entity, k: field.key, f: o.orig, t: o.name.trim() });
          } catch (err) { err.field = `option-${i}`; throw err; }
        }
      }
      const input = { help: help.trim() || null, block: chosenBlock, labels, helps };
      if (label !== field.label) input.label = label;
      if (!field.system) input.required = required;
      if (editable) input.options = options.map((o) => o.name.trim()).filter(Boolean);
      if (lists) input.optionLabels = options.filter((o) => o.name.trim()).map((o) => ({ option: o.name.trim(), es: o.es, en: o.en }));
      if (single) input.defaultOption = defaultOpt >= 0 ? options[defaultOpt].name.trim() : null;
      if (field.closable) input.closedOptions = options.filter((o) => o.closed).map((o) => o.name.trim());
      await gql(UPDATE, { e: entity, k: field.key, i: input });
      setErrors({});
      onSaved(label);
    } catch (err) {
      setErrors({ [(err.field || 'label').replace('.', '-')]: err.message });
    } finally {
      setBusy(false);
    }
  };
  const invalid = (name) => (errors[name] ? { 'aria-invalid': 'true', 'aria-describedby': `fe-${name}-error` } : {});
  const err = (name) => errors[name] && html`<p class="error" id=${`fe-${name}-error`}>${errors[name]}</p>`;
  const heldLink = held && `${KINDS[entity] ? KINDS[entity].path : ''}?f.${field.key}.${single ? 'eq' : 'contains'}=${optionValue(field, held.option)}`;
  return html`<form class="stack card editor" id="field-editor" onSubmit=${save} novalidate aria-labelledby="fe-title">
    <h2 id="fe-title">${t('edit_field', { name: fieldLabel(field) })}</h2>
    <p class="hint"><code>${field.key}</code> · ${t(`type_${field.type}`)}</p>
    ${field.system && html`<p class="hint" id="fe-system">${t('system_field_why')}</p>`}
    <label for="fe-label">${t('label')}</label>
    <input id="fe-label" value=${label} onInput=${(e) => setLabel(e.target.value)} ...${invalid('label')} />${err('label')}
    ${builtin(field.label) !== field.label && label === field.label && !(field.labels && field.labels[lang.value]) && html`<p class="hint">${t('label_translated', { name: builtin(field.label) })}</p>`}
    <label for="fe-help">${t('help')}</label>
    <input id="fe-help" value=${help} onInput=${(e) => setHelp(e.target.value)} ...${invalid('help')} />${err('help')}
    <fieldset class="languages"><legend>${t('in_each_language')}</legend>
      <p class="hint" id="fe-languages-hint">${t('in_each_language_hint')}</p>
      ${['es', 'en'].map((l) => html`<div class="language">
        <label for=${`fe-label-${l}`}>${t(`label_in_${l}`)}</label>
        <input id=${`fe-label-${l}`} lang=${l} value=${labels[l]} aria-describedby="fe-languages-hint"
          onInput=${(e) => setLabels({ ...labels, [l]: e.target.value })} ...${invalid(`labels-${l}`)} />${err(`labels-${l}`)}
        <label for=${`fe-help-${l}`}>${t(`help_in_${l}`)}</label>
        <input id=${`fe-help-${l}`} lang=${l} value=${helps[l]}
          onInput=${(e) => setHelps({ ...helps, [l]: e.target.value })} ...${invalid(`helps-${l}`)} />${err(`helps-${l}`)}
      </div>`)}
    </fieldset>
    <span class="check"><input type="checkbox" id="fe-required" checked=${required} disabled=${field.system}
      aria-describedby=${field.system ? 'fe-system' : undefined} onChange=${(e) => setRequired(e.target.checked)} />
      <label for="fe-required">${t('required')}</label></span>${err('required')}
    <label for="fe-block">${t('block')}</label>
    <select id="fe-block" value=${block} onChange=${(e) => setBlock(e.target.value)} ...${invalid('block')}>
      ${blocks.map((b) => html`<option value=${b}>${builtin(b)}</option>`)}
      <option value=${NEW_BLOCK}>${t('new_block')}</option></select>
    ${block === NEW_BLOCK && html`<label for="fe-new-block">${t('new_block_name')}</label>
      <input id="fe-new-block" value=${newBlock} onInput=${(e) => setNewBlock(e.target.value)} />`}
    ${err('block')}
    ${lists && html`<fieldset><legend>${t('options_title')}</legend>
      ${field.optionsFixed && html`<p class="hint" id="fe-fixed">${t('options_fixed')}</p>`}
      ${single && html`<p class="hint" id="fe-meaning">${t(field.closable ? 'option_meaning_closable' : 'option_meaning')}</p>`}
      <ol class="options">${options.map((o, i) => html`<li key=${o.orig || `new-${i}`}>
        <label class="visually-hidden" for=${`opt-${i}`}>${t('option_n', { n: i + 1 })}</label>
        <input id=${`opt-${i}`} value=${o.name} readonly=${!editable} onInput=${(e) => setOptions(options.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))}
          ...${invalid(`option-${i}`)} />
        ${o.orig && usage[o.orig] !== undefined && html`<span class="hint">${t('held_by', { n: usage[o.orig] })}</span>`}
        ${single && html`<span class="check"><input type="radio" name="fe-default" id=${`opt-default-${i}`} checked=${defaultOpt === i}
          onChange=${() => setDefaultOpt(i)} /><label for=${`opt-default-${i}`}>${t('option_default')}<span class="visually-hidden">: ${o.name}</span></label></span>`}
        ${field.closable && html`<span class="check"><input type="checkbox" id=${`opt-closed-${i}`} checked=${o.closed}
          onChange=${(e) => setOptions(options.map((x, j) => (j === i ? { ...x, closed: e.target.checked } : x)))} />
          <label for=${`opt-closed-${i}`}>${t('option_closed')}<span class="visually-hidden">: ${o.name}</span></label></span>`}
        ${editable && html`<button type="button" class="icon-text" id=${`opt-up-${i}`} aria-label=${t('move_up', { name: o.name })} onClick=${() => move(i, -1)}>↑</button>
        <button type="button" class="icon-text" id=${`opt-down-${i}`} aria-label=${t('move_down', { name: o.name })} onClick=${() => move(i, 1)}>↓</button>
        <button type="button" class="link danger" id=${`opt-remove-${i}`} onClick=${() => remove(i)}>${t('remove')}<span class="visually-hidden"> ${o.name}</span></button>`}
        <details class="option-languages"><summary>${t('option_in_each_language')}<span class="visually-hidden">: ${o.name}</span></summary>
          ${['es', 'en'].map((l) => html`<label for=${`opt-${l}-${i}`}>${t(`label_in_${l}`)}</label>
            <input id=${`opt-${l}-${i}`} lang=${l} value=${o[l]} placeholder=${builtin(o.name)}
              onInput=${(e) => setOptions(options.map((x, j) => (j === i ? { ...x, [l]: e.target.value } : x)))} />`)}
        </details>
        ${err(`option-${i}`)}</li>`)}</ol>
      ${held && html`<p role="alert" class="error" id="held">${t('option_held', { option: held.option, n: held.count })}
        ${' '}<${Link} href=${heldLink}>${t('see_them')}</${Link}></p>`}
      ${editable && html`<div class="filters"><label for="opt-new">${t('new_option')}</label>
        <input id="opt-new" value=${added} onInput=${(e) => setAdded(e.target.value)}
          onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }} />
        <button type="button" class="secondary" onClick=${add}>${t('add')}</button></div>`}
      ${err('options')}${err('defaultOption')}${err('closedOptions')}${err('optionLabels')}
    </fieldset>`}
    <div class="buttons"><button type="submit" disabled=${busy}>${t('save')}</button>
      <button type="button" class="secondary" onClick=${onClose}>${t('close')}</button></div>
  </form>`;
}
