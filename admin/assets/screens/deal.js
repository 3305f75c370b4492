// One deal (`/admin/deals/<id>`): its fields and what happened to it.
import { useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { say } from '../lib/toast.js';
import { Link } from '../lib/router.js';
import { useRecord } from '../lib/use_record.js';
import { RecordForm } from '../parts/record_form.js';
import { AuditLog } from '../parts/audit_log.js';

export function DealScreen({ id }) {
  const { defs, record: deal, error, tick, changed, save: update } = useRecord('DEAL', id);
  const setStatus = say;
  if (error && deal === undefined) return html`<p role="alert" class="error">${error}</p>`;
  if (deal === undefined || !defs) return html`<p>${t('loading')}</p>`;
  if (deal === null) return html`<h1>${t('deal_not_found')}</h1><p><${Link} href="/admin/deals">${t('back_to_deals')}</${Link}></p>`;
  const save = async (input) => {
    await update(input);
    setStatus(t('saved'));
    changed();
  };
  return html`
    <p><${Link} href="/admin/deals">${t('back_to_deals')}</${Link}></p>
    <h1>${deal.name || t('untitled')}</h1>
    <section aria-labelledby="details-title"><h2 id="details-title">${t('section_details')}</h2>
      <${RecordForm} key=${deal.updatedAt} entity="DEAL" defs=${defs} record=${deal} save=${save} submitLabel=${t('save_changes')} />
    </section>
    <section aria-labelledby="activity-title"><h2 id="activity-title">${t('section_activity')}</h2>
      <${AuditLog} entity="DEAL" id=${id} refresh=${tick} />
    </section>`;
}
