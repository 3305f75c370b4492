// Where `lib/toast.js` messages show: two live regions that are always in the page (a region
// added with its text is not announced), one polite for news, one assertive for failures.
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { toasts } from '../lib/toast.js';

export function Toasts() {
  const list = toasts.value;
  const item = (x) => html`<p class=${`toast toast-${x.kind}`} key=${x.id}>${x.text}
    <button type="button" class="link" aria-label=${t('dismiss')} onClick=${() => { toasts.value = toasts.value.filter((y) => y.id !== x.id); }}>×</button></p>`;
  return html`<div class="toasts">
    <div role="status" aria-live="polite" id="toasts">${list.filter((x) => x.kind !== 'error').map(item)}</div>
    <div role="alert" id="toast-errors">${list.filter((x) => x.kind === 'error').map(item)}</div>
  </div>`;
}
