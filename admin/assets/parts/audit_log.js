// A record's audit log: who did what, when, newest first, each action in words.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, when } from '../lib/i18n.js';
import { gql } from '../lib/graphql.js';

const LOG = `query($e: EntityKind!, $id: ID!) { auditLog(entity: $e, id: $id) { at actor { name } action detail } }`;

/** The detail worth a reader's eye: the names and changes the engine recorded. */
function detailText(detail) {
  if (!detail || typeof detail !== 'object') return '';
  const parts = [];
  for (const key of ['name', 'contactName', 'from', 'to', 'email', 'role', 'reason']) {
    if (detail[key] !== undefined && detail[key] !== null && typeof detail[key] !== 'object') parts.push(String(detail[key]));
  }
  if (detail.canDownload !== undefined) parts.push(t(detail.canDownload ? 'can_download' : 'cannot_download'));
  if (detail.changed && typeof detail.changed === 'object') parts.push(Object.keys(detail.changed).join(', '));
  return parts.join(' · ');
}

export function AuditLog({ entity, id, refresh }) {
  const [events, setEvents] = useState(null);
  useEffect(() => {
    gql(LOG, { e: entity, id }).then((d) => setEvents(d.auditLog)).catch(() => setEvents([]));
  }, [entity, id, refresh]);
  if (events === null) return html`<p>${t('loading')}</p>`;
  if (events.length === 0) return html`<p>${t('audit_none')}</p>`;
  return html`<ol class="log">${[...events].reverse().map((e) => html`<li>
    <time datetime=${e.at}>${when(e.at)}</time> · <strong>${e.actor ? e.actor.name : t('system_actor')}</strong>
    ${' '}${t(`audit_${e.action}`) === `audit_${e.action}` ? e.action.replaceAll('_', ' ') : t(`audit_${e.action}`)}
    ${detailText(e.detail) && html` <span class="hint">${detailText(e.detail)}</span>`}</li>`)}</ol>`;
}
