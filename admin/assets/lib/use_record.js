// What a record's screen starts with: the entity's active fields, then the record with every
// one of them (plus what the screen adds), reloaded when the screen says something changed.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { gql } from './graphql.js';
import { definitions, names, select } from './records.js';

/** `record` is undefined while loading, null when there is no such record (or it is not the
 * caller's to see). `changed()` reloads it and bumps `tick` for the parts that follow it. */
export function useRecord(entity, id, extra = '') {
  const [defs, setDefs] = useState(null);
  const [record, setRecord] = useState(undefined);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  const load = (fields) => names(entity)
    .then((n) => gql(`query($id: ID!) { ${n.one}(id: $id) { id updatedAt ${fields.map(select).join(' ')} ${extra} } }`, { id })
      .then((d) => setRecord(d[n.one])))
    .catch((e) => setError(e.message));
  useEffect(() => {
    setRecord(undefined);
    definitions(entity).then((d) => { setDefs(d); return load(d); }).catch((e) => setError(e.message));
  }, [entity, id]);
  useEffect(() => { if (defs && tick) load(defs); }, [tick]);
  /** Saves the form's changed fields. */
  const save = async (input) => {
    const n = await names(entity);
    return gql(`mutation($id: ID!, $i: ${n.updateInput}!) { ${n.update}(id: $id, input: $i) { id } }`, { id, i: input });
  };
  return { defs, record, error, tick, changed: () => setTick((n) => n + 1), save };
}
