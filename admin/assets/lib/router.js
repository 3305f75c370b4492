// Every screen is a real address: the path and query are the state, so a reload or a shared
// link shows the same screen with the same filters.
import { signal } from '../vendor/signals.module.js';
import { html } from './html.js';

const here = () => location.pathname + location.search;
export const path = signal(here());

addEventListener('popstate', () => { path.value = here(); });

/** Shows `to` (an address under /admin) as a new history entry; `replace` for a change within
 * a screen (a tab), which also keeps the scroll position. */
export function go(to, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', to); else history.pushState(null, '', to);
  path.value = here();
  if (!replace) window.scrollTo(0, 0);
}

/** A link that changes screen without reloading; with a modifier key it opens as links do. */
export function Link({ href, children, ...rest }) {
  const click = (e) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    go(href);
  };
  return html`<a href=${href} onClick=${click} ...${rest}>${children}</a>`;
}
