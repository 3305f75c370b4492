// Contacts, cases and deals as the field definitions describe them: which GraphQL names each
// entity has, what to select for a field, how a form's text becomes the mutation's input, and
// how a stored value reads. Screens build their lists and forms from this, so a field an admin
// adds shows up everywhere without a line of code.
import { gql } from './graphql.js';
import { optionText, when } from './i18n.js';

/** What the UI itself decides for each record type: its screens' address, the field that
 * titles a record, the columns a list starts with. Its GraphQL names come from the server
 * (`names`). */
export const KINDS = {
  CONTACT: { path: '/admin/contacts', title: 'name', back: 'back_to_contacts', columns: ['name', 'email', 'phone', 'kind'] },
  CASE: { path: '/admin/cases', title: 'subject', back: 'back_to_cases', columns: ['number', 'subject', 'status', 'client', 'owner', 'createdAt'] },
  DEAL: { path: '/admin/deals', title: 'name', back: 'back_to_deals', columns: ['name', 'stage', 'amount', 'client', 'owner'] },
};

/** The answer to `query` (a root field `field` that never changes while the page lives),
 * fetched once and shared; a failed fetch is tried again next time. */
function once(query, field) {
  let answer = null;
  return () => {
    if (!answer) answer = gql(query).then((d) => d[field]).catch((e) => { answer = null; throw e; });
    return answer;
  };
}

const recordTypes = once(`{ recordTypes { entity typeName one many create update createInput updateInput filter orderBy } }`, 'recordTypes');

/** The GraphQL names of `entity`'s record type (its root fields and input types), as the
 * server makes them. */
export async function names(entity) {
  return (await recordTypes()).find((r) => r.entity === entity);
}

const DEFS = `query($e: EntityKind!) { fieldDefinitions(entity: $e) {
  key label labels { es en } type options optionValues optionLabels { option es en } defaultOption closedOptions closable required block position help helps { es en } system portalVisible } }`;

/** Every field type as the server describes it (what its values are, how they are typed in
 * and filtered): the UI decides none of it. */
export const fieldTypes = once(`{ fieldTypes { type value input operators sortable hasOptions portalInput } }`, 'fieldTypes');

/** `defs` with each one's type description as `spec`. */
export async function withTypes(defs) {
  const all = await fieldTypes();
  return defs.map((d) => ({ ...d, spec: all.find((ty) => ty.type === d.type) }));
}

/** The active field definitions of `entity`, in the admin's order. */
export async function definitions(entity) {
  const data = await gql(DEFS, { e: entity });
  return withTypes(data.fieldDefinitions);
}

/** Whether a field holds a staff user or a contact (shown by name, picked by search). */
export const isReference = (def) => def.spec.value === 'STAFF_USER' || def.spec.value === 'CONTACT';

/** What a reference field's picker searches: `CONTACT` or `USER`. */
export const pickerKind = (def) => (def.spec.value === 'CONTACT' ? 'CONTACT' : 'USER');

/** Fields a person types into (the case number is given by Portico; the portal-user switch has
 * its own place on the contact, with its rules). */
export const editable = (entity, def) => !(entity === 'CASE' && def.key === 'number') && def.key !== 'portalUser';

/** The GraphQL selection of a field: a user or contact is an object. */
export function select(def) {
  return isReference(def) ? `${def.key} { id name }` : def.key;
}

/** The enum value the schema gives a select option: the server's, sent with the definition
 * (`optionValues`, in the order of `options`), never worked out here ("Sí" is `S_`, "24h"
 * `_24H`: a copy of the rule once disagreed and "Sí" could not be saved). */
export const optionValue = (def, option) => (def.optionValues || [])[def.options.indexOf(option)];

/** What a new record's form starts with for `def`: the default option the admin chose (a new
 * case is shown Open, as it will be saved), else nothing. */
export const startValue = (def) => (def.defaultOption ? optionValue(def, def.defaultOption) : undefined);

/** A stored value as the form holds it: text for inputs, booleans, lists, `{id, name}` for
 * pickers. */
export function toForm(def, value) {
  if (value === null || value === undefined) {
    return def.spec.value === 'BOOLEAN' ? false : def.spec.value === 'OPTIONS' ? [] : isReference(def) ? null : '';
  }
  if (def.spec.value === 'DATE_TIME') return String(value).slice(0, 16);
  if (def.spec.value === 'INTEGER' || def.spec.value === 'DECIMAL') return String(value);
  return value;
}

/** What the form holds as the mutation's input value; empty is `null`. */
export function toInput(def, value) {
  switch (def.spec.value) {
    case 'BOOLEAN': return Boolean(value);
    case 'OPTIONS': return value;
    case 'STAFF_USER': case 'CONTACT': return value ? value.id : null;
    case 'INTEGER': return value === '' ? null : Number.isInteger(Number(value)) ? Number(value) : value;
    case 'DECIMAL': return value === '' ? null : Number.isFinite(Number(value)) ? Number(value) : value;
    case 'DATE_TIME': return value ? new Date(value).toISOString() : null;
    default: return value === '' ? null : value;
  }
}

/** A stored value as a person reads it. */
export function display(def, value, options = {}) {
  if (value === null || value === undefined || value === '') return '';
  const locale = document.documentElement.lang;
  const label = (v) => optionText(def, def.options.find((o) => optionValue(def, o) === v) || v);
  switch (def.spec.value) {
    case 'STAFF_USER': case 'CONTACT': return value.name;
    case 'OPTION': return label(value);
    case 'OPTIONS': return value.map(label).join(', ');
    case 'BOOLEAN': return value ? options.yes : options.no;
    case 'DATE': return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(value));
    case 'DATE_TIME': return when(value);
    case 'DECIMAL': return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value);
    default: return String(value);
  }
}

/** How a status or stage reads at a glance: `closed` (an option the admin marked finished),
 * `new` (the one new records take), else `active`; null for other fields. The word is always
 * shown too: the colour only repeats it. */
export function tone(def, value) {
  if (!def.closable || value === null || value === undefined) return null;
  const option = def.options.find((o) => optionValue(def, o) === value) || value;
  if ((def.closedOptions || []).includes(option)) return 'closed';
  return option === def.defaultOption ? 'new' : 'active';
}

/** Fields grouped by block, blocks and fields in the order given: `[{name, fields}]`. */
export function byBlock(fields) {
  const blocks = [];
  for (const f of fields) {
    let b = blocks.find((x) => x.name === f.block);
    if (!b) blocks.push((b = { name: f.block, fields: [] }));
    b.fields.push(f);
  }
  return blocks;
}

/** The built-in `createdAt`, which every record has, as a column. */
export const CREATED_AT = { key: 'createdAt', label: 'createdAt', type: 'DATETIME', options: [], builtinColumn: true };
