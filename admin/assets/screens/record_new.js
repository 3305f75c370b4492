// A new contact, case or deal (`/admin/<contacts|cases|deals>/new`), from the active field
// definitions; on success, the record's own screen. `?client=<id>` starts a case or deal with
// that client chosen (the contact screen links here).
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { gql, me } from '../lib/graphql.js';
import { go, path, Link } from '../lib/router.js';
import { KINDS, definitions, names } from '../lib/records.js';
import { RecordForm } from '../parts/record_form.js';

export function RecordNew({ entity }) {
  const kind = KINDS[entity];
  const [defs, setDefs] = useState(null);
  const [prefill, setPrefill] = useState(null);
  const [error, setError] = useState(null);
  const client = new URLSearchParams(path.value.split('?')[1] || '').get('client');
  useEffect(() => {
    // A new case or deal is the creator's unless they pick someone else: shown so, as it
    // will be saved.
    const mine = me.value && entity !== 'CONTACT' ? { owner: { id: me.value.id, name: me.value.name } } : {};
    const named = client
      ? gql('query($id: ID!) { contact(id: $id) { id name } }', { id: client }).then((d) => (d.contact ? { ...mine, client: d.contact } : mine))
      : Promise.resolve(mine);
    Promise.all([definitions(entity), named]).then(([d, p]) => { setDefs(d); setPrefill(p); }).catch((e) => setError(e.message));
  }, [entity, client]);
  const save = async (input) => {
    const n = await names(entity);
    const d = await gql(`mutation($i: ${n.createInput}!) { ${n.create}(input: $i) { id } }`, { i: input });
    go(`${kind.path}/${d[n.create].id}`);
  };
  return html`
    <p><${Link} href=${kind.path}>${t(kind.back)}</${Link}></p>
    <h1>${t(`new_${entity}`)}</h1>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    ${defs === null || prefill === null ? html`<p>${t('loading')}</p>`
      : html`<${RecordForm} entity=${entity} defs=${defs} record=${null} prefill=${prefill} save=${save} submitLabel=${t(`create_${entity}`)} />`}`;
}
