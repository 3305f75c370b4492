// The list of contacts, cases or deals (`/admin/contacts`, `/admin/cases`, `/admin/deals`):
// search, filters on any field with the operators its type has, sort by any column, a column
// chooser, paging through the connection. The address holds all of it (`?q=...&f.status.eq=OPEN
// &sort=subject&dir=asc&cols=number,subject&after=...`), so a reload or a shared link shows the
// same list.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, fieldLabel, optionText } from '../lib/i18n.js';
import { go, path, Link } from '../lib/router.js';
import { gql } from '../lib/graphql.js';
import { KINDS, definitions, names as recordNames, withTypes, select, display, tone, optionValue, isReference, pickerKind, CREATED_AT } from '../lib/records.js';
import { Picker } from '../parts/picker.js';

/** The operators a field's filter offers (the server's list), but `in`: a filter here holds
 * one value. */
export function operators(def) {
  return def.spec.operators.filter((o) => o !== 'in');
}

/** A filter's text from the address as the GraphQL variable wants it. */
function filterValue(def, op, text) {
  if (op === 'isNull') return text !== 'false';
  switch (def.spec.value) {
    case 'INTEGER': return parseInt(text, 10);
    case 'DECIMAL': return parseFloat(text);
    case 'BOOLEAN': return text === 'true';
    case 'DATE_TIME': return new Date(text).toISOString();
    default: return text;
  }
}

function params() {
  return new URLSearchParams(path.value.split('?')[1] || '');
}

function address(base, q) {
  const s = q.toString();
  return s ? `${base}?${s}` : base;
}

/** Filters in the address: `f.<key>.<op>=<value>`. */
function filtersOf(q, defs) {
  const out = [];
  for (const [name, value] of q.entries()) {
    const [f, key, op] = name.split('.');
    const def = defs.find((d) => d.key === key);
    if (f === 'f' && def && operators(def).includes(op)) out.push({ def, op, value, name });
  }
  return out;
}

function FilterValue({ def, op, value, set }) {
  if (op === 'isNull') {
    return html`<select id="nf-value" value=${value || 'true'} onChange=${(e) => set(e.target.value)}>
      <option value="true">${t('is_empty')}</option><option value="false">${t('is_not_empty')}</option></select>`;
  }
  if (def.spec.hasOptions) {
    return html`<select id="nf-value" value=${value} onChange=${(e) => set(e.target.value)}>
      <option value="">${t('none_chosen')}</option>
      ${def.options.map((o) => html`<option value=${optionValue(def, o)}>${optionText(def, o)}</option>`)}</select>`;
  }
  if (def.spec.value === 'BOOLEAN') {
    return html`<select id="nf-value" value=${value || 'true'} onChange=${(e) => set(e.target.value)}>
      <option value="true">${t('yes')}</option><option value="false">${t('no')}</option></select>`;
  }
  if (isReference(def)) {
    return html`<${Picker} kind=${pickerKind(def)} id="nf-value" value=${value || null} onChange=${set} />`;
  }
  // Text of any kind (a long text, an email, a phone) is searched in a one-line box.
  const type = { number: 'number', decimal: 'number', date: 'date', 'datetime-local': 'datetime-local' }[def.spec.input] || 'text';
  return html`<input id="nf-value" type=${type} step=${def.spec.input === 'decimal' ? 'any' : undefined} value=${value} onInput=${(e) => set(e.target.value)} />`;
}

function AddFilter({ defs, onAdd }) {
  const [key, setKey] = useState(defs[0] ? defs[0].key : '');
  const def = defs.find((d) => d.key === key) || defs[0];
  const [op, setOp] = useState(operators(def)[0]);
  const [value, setValue] = useState('');
  const ops = operators(def);
  const shownOp = ops.includes(op) ? op : ops[0];
  const add = (e) => {
    e.preventDefault();
    const text = value && typeof value === 'object' ? value.id : value || (shownOp === 'isNull' || def.spec.value === 'BOOLEAN' ? 'true' : '');
    if (text === '') return;
    onAdd(def.key, shownOp, text);
    setValue('');
  };
  return html`<form class="filters" onSubmit=${add}>
    <label for="nf-field">${t('filter_field')}</label>
    <select id="nf-field" value=${def.key} onChange=${(e) => { setKey(e.target.value); setValue(''); }}>
      ${defs.map((d) => html`<option value=${d.key}>${d.builtinColumn ? t(d.label) : fieldLabel(d)}</option>`)}</select>
    <label for="nf-op">${t('filter_operator')}</label>
    <select id="nf-op" value=${shownOp} onChange=${(e) => setOp(e.target.value)}>
      ${ops.map((o) => html`<option value=${o}>${t(`op_${o}`)}</option>`)}</select>
    <label for="nf-value">${t('filter_value')}</label>
    <${FilterValue} def=${def} op=${shownOp} value=${value} set=${setValue} />
    <button type="submit">${t('add_filter')}</button>
  </form>`;
}

export function RecordList({ entity }) {
  const kind = KINDS[entity];
  const q = params();
  const [defs, setDefs] = useState(null);
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  const [names, setNames] = useState({});
  useEffect(() => {
    setDefs(null);
    Promise.all([definitions(entity), withTypes([CREATED_AT])])
      .then(([d, created]) => setDefs([...d, ...created])).catch((e) => setError(e.message));
  }, [entity]);
  const all = defs || [];
  const columns = (q.get('cols') ? q.get('cols').split(',') : kind.columns).map((k) => all.find((d) => d.key === k)).filter(Boolean);
  const sortable = (d) => d.spec.sortable;
  const sort = all.some((d) => d.key === q.get('sort') && sortable(d)) ? q.get('sort') : 'createdAt';
  const dir = q.get('dir') === 'asc' ? 'ASC' : 'DESC';
  const filters = filtersOf(q, all);
  useEffect(() => {
    if (!defs) return;
    const filter = {};
    for (const f of filters) filter[f.def.key] = { ...(filter[f.def.key] || {}), [f.op]: filterValue(f.def, f.op, f.value) };
    // A case says how many messages on its conversation the user has not read.
    const unread = entity === 'CASE' ? ['unreadMessages'] : [];
    const selection = [...new Set(['id', kind.title, ...columns.map(select), ...unread])].join(' ');
    const query = (n) => `query($first: Int, $after: String, $filter: ${n.filter}, $search: String, $orderBy: [${n.orderBy}!]) {
      ${n.many}(first: $first, after: $after, filter: $filter, search: $search, orderBy: $orderBy) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { ${selection} } } } }`;
    setPage(null);
    recordNames(entity)
      .then((n) => gql(query(n), { first: 25, after: q.get('after') || null, filter, search: q.get('q') || null, orderBy: [{ field: sort, direction: dir }] })
        .then((d) => { setPage(d[n.many]); setError(null); }))
      .catch((e) => setError(e.message));
  }, [path.value, defs]);
  // A filter on a user or contact holds an id; its name comes from the record.
  useEffect(() => {
    for (const f of filters) {
      if (f.def.spec.value === 'CONTACT' && f.op !== 'isNull' && !names[f.value]) {
        gql('query($id: ID!) { contact(id: $id) { name } }', { id: f.value })
          .then((d) => d.contact && setNames((n) => ({ ...n, [f.value]: d.contact.name }))).catch(() => {});
      }
      if (f.def.spec.value === 'STAFF_USER' && f.op !== 'isNull' && !names[f.value]) {
        gql('{ staffUsers { id name } }').then((d) => setNames((n) => ({ ...n, ...Object.fromEntries(d.staffUsers.map((u) => [u.id, u.name])) }))).catch(() => {});
      }
    }
  }, [path.value]);
  const change = (edit) => {
    const next = params();
    next.delete('after');
    edit(next);
    go(address(kind.path, next));
  };
  const search = (e) => {
    e.preventDefault();
    const text = String(new FormData(e.target).get('q') || '').trim();
    change((n) => { if (text) n.set('q', text); else n.delete('q'); });
  };
  const sortBy = (key) => change((n) => { n.set('sort', key); n.set('dir', sort === key && dir === 'ASC' ? 'desc' : 'asc'); });
  const label = (d) => (d.builtinColumn ? t(d.label) : fieldLabel(d));
  const header = (d) => html`<th scope="col" aria-sort=${sort === d.key ? (dir === 'ASC' ? 'ascending' : 'descending') : undefined}>
    ${sortable(d) ? html`<button type="button" class="link" onClick=${() => sortBy(d.key)}>${label(d)}</button>` : label(d)}</th>`;
  const cell = (d, node) => {
    const text = display(d, node[d.key], { yes: t('yes'), no: t('no') });
    const badge = tone(d, node[d.key]);
    if (badge) return html`<span class=${`badge badge-${badge}`}>${text}</span>`;
    if (d.key !== kind.title) return text;
    const link = html`<${Link} href=${`${kind.path}/${node.id}`}>${text || t('untitled')}</${Link}>`;
    // A case says how many of its messages the user has not read.
    return node.unreadMessages > 0
      ? html`${link} <${Link} class="tag unread" href=${`${kind.path}/${node.id}#conversation`}>${t('unread_count', { n: node.unreadMessages })}</${Link}>`
      : link;
  };
  const toggleColumn = (key, on) => change((n) => {
    const keys = columns.map((c) => c.key).filter((k) => k !== key);
    if (on) keys.push(key);
    n.set('cols', (keys.length ? keys : [kind.title]).join(','));
  });
  const filterText = (f) => {
    if (f.op === 'isNull') return `${label(f.def)} ${t(f.value === 'false' ? 'is_not_empty' : 'is_empty')}`;
    const value = isReference(f.def) ? names[f.value] || f.value
      : f.def.spec.value === 'BOOLEAN' ? t(f.value === 'true' ? 'yes' : 'no') : display(f.def, f.def.spec.value === 'OPTIONS' ? [f.value] : f.value) || f.value;
    return `${label(f.def)} ${t(`op_${f.op}`)} ${value}`;
  };
  return html`
    <div class="heading"><h1>${t(`list_${entity}`)}</h1>
      <${Link} class="button" href=${`${kind.path}/new`}>${t(`new_${entity}`)}</${Link}></div>
    <form class="filters" role="search" onSubmit=${search}>
      <label for="q">${t('search')}</label>
      <input id="q" name="q" type="search" value=${q.get('q') || ''} />
      <button type="submit">${t('search_button')}</button>
    </form>
    ${defs && html`
      <details class="tools"><summary>${t('filters_and_columns')}</summary>
        <${AddFilter} defs=${all} onAdd=${(key, op, value) => change((n) => n.set(`f.${key}.${op}`, value))} />
        <fieldset class="columns"><legend>${t('columns')}</legend>
          ${all.map((d) => html`<span class="check"><input type="checkbox" id=${`col-${d.key}`} checked=${columns.includes(d)}
            onChange=${(e) => toggleColumn(d.key, e.target.checked)} /><label for=${`col-${d.key}`}>${label(d)}</label></span>`)}
        </fieldset>
      </details>`}
    ${filters.length > 0 && html`<ul class="chips" aria-label=${t('active_filters')}>
      ${filters.map((f) => html`<li>${filterText(f)}
        <button type="button" class="link" onClick=${() => change((n) => n.delete(f.name))}>${t('remove')}<span class="visually-hidden"> ${filterText(f)}</span></button></li>`)}
    </ul>`}
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${page === null ? html`<p>${t('loading')}</p>` : html`
      <p role="status">${t(`count_${entity}`, { n: page.totalCount })}</p>
      ${page.totalCount === 0 && (filters.length > 0 || q.get('q')
        ? html`<p class="empty" id="empty-list">${t('empty_filtered')} <button type="button" class="secondary" id="clear-filters"
            onClick=${() => change((n) => { for (const k of [...n.keys()]) if (k === 'q' || k.startsWith('f.')) n.delete(k); })}>${t('clear_filters')}</button></p>`
        : html`<p class="empty" id="empty-list">${t(`empty_${entity}`)} <${Link} class="button" href=${`${kind.path}/new`}>${t(`new_${entity}`)}</${Link}></p>`)}
      ${page.totalCount > 0 && html`<div class="scroll"><table>
        <thead><tr>${columns.map(header)}</tr></thead>
        <tbody>${page.edges.map(({ node }) => html`<tr>${columns.map((d) => html`<td>${cell(d, node)}</td>`)}</tr>`)}</tbody>
      </table></div>`}
      <p class="pager">
        ${q.get('after') && html`<${Link} href=${address(kind.path, (() => { const n = params(); n.delete('after'); return n; })())}>${t('first_page')}</${Link}>`}
        ${page.pageInfo.hasNextPage && html`<${Link} href=${address(kind.path, (() => { const n = params(); n.set('after', page.pageInfo.endCursor); return n; })())}>${t('next_page')}</${Link}>`}
      </p>`}`;
}
