// The case list (`/admin/cases`): filter by status, search the subject, sort by a column, page
// through the connection. The address holds all of it (`?status=OPEN&q=...&sort=subject&dir=asc
// &after=...`), so a reload or a shared link shows the same list.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, builtin } from '../lib/i18n.js';
import { go, path } from '../lib/router.js';
import { gql } from '../lib/graphql.js';

const SORTS = ['createdAt', 'number', 'subject', 'status'];
const LIST = `query($first: Int, $after: String, $filter: CaseFilter, $orderBy: [CaseOrderBy!]) {
  cases(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id number subject status createdAt client { name } owner { name } } } } }`;
const STATUSES = `{ fieldDefinitions(entity: CASE) { key options } }`;

/** The enum value of a select option, as the schema names it ("In Progress" -> IN_PROGRESS). */
export const enumValue = (option) => option.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_|_$/g, '');

function address(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `/admin/cases?${s}` : '/admin/cases';
}

export function Cases() {
  const params = Object.fromEntries(new URLSearchParams(path.value.split('?')[1] || ''));
  const sort = SORTS.includes(params.sort) ? params.sort : 'createdAt';
  const dir = params.dir === 'asc' ? 'ASC' : 'DESC';
  const [statuses, setStatuses] = useState([]);
  const [page, setPage] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    gql(STATUSES).then((d) => {
      const status = d.fieldDefinitions.find((f) => f.key === 'status');
      setStatuses(status ? status.options : []);
    }).catch(() => {});
  }, []);
  useEffect(() => {
    const filter = {};
    if (params.status) filter.status = { eq: params.status };
    if (params.q) filter.subject = { contains: params.q };
    setPage(null);
    gql(LIST, { first: 25, after: params.after || null, filter, orderBy: [{ field: sort, direction: dir }] })
      .then((d) => { setPage(d.cases); setError(null); })
      .catch((e) => setError(e.message));
  }, [path.value]);
  const submit = (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    go(address({ status: form.get('status'), q: String(form.get('q') || '').trim(), sort: params.sort, dir: params.dir }));
  };
  const sortBy = (field) => {
    const nextDir = sort === field && dir === 'ASC' ? 'desc' : 'asc';
    go(address({ status: params.status, q: params.q, sort: field, dir: nextDir }));
  };
  const header = (field, label) => html`<th scope="col" aria-sort=${sort === field ? (dir === 'ASC' ? 'ascending' : 'descending') : undefined}>
    <button type="button" class="link" onClick=${() => sortBy(field)}>${label}</button></th>`;
  const label = (value) => builtin(statuses.find((s) => enumValue(s) === value) || value);
  const date = (iso) => new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: 'medium' }).format(new Date(iso));
  return html`
    <h1>${t('cases_title')}</h1>
    <form class="filters" role="search" onSubmit=${submit}>
      <label for="status">${t('status')}</label>
      <select id="status" name="status">
        <option value="">${t('all_statuses')}</option>
        ${statuses.map((s) => html`<option value=${enumValue(s)} selected=${params.status === enumValue(s)}>${builtin(s)}</option>`)}
      </select>
      <label for="q">${t('search_subject')}</label>
      <input id="q" name="q" type="search" value=${params.q || ''} />
      <button type="submit">${t('filter')}</button>
    </form>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${page === null ? html`<p>${t('loading')}</p>` : html`
      <p role="status">${t('cases_count', { n: page.totalCount })}</p>
      <div class="scroll"><table>
        <thead><tr>${header('number', t('number'))}${header('subject', t('subject'))}${header('status', t('status'))}
          <th scope="col">${t('client')}</th><th scope="col">${t('owner')}</th>${header('createdAt', t('opened'))}</tr></thead>
        <tbody>${page.edges.map(({ node: c }) => html`<tr>
          <td>${c.number}</td><td>${c.subject}</td><td>${label(c.status)}</td>
          <td>${c.client ? c.client.name : ''}</td><td>${c.owner ? c.owner.name : ''}</td><td>${date(c.createdAt)}</td></tr>`)}
        </tbody></table></div>
      <p class="pager">
        ${params.after && html`<a href=${address({ ...params, after: '' })} onClick=${(e) => { e.preventDefault(); go(address({ ...params, after: '' })); }}>${t('first_page')}</a>`}
        ${page.pageInfo.hasNextPage && html`<a href=${address({ ...params, after: page.pageInfo.endCursor })}
          onClick=${(e) => { e.preventDefault(); go(address({ ...params, after: page.pageInfo.endCursor })); }}>${t('next_page')}</a>`}
      </p>`}`;
}
