// A modal dialog on the browser's own <dialog>: `showModal` makes the rest of the page inert
// (focus stays inside) and Escape closes it; focus returns to what opened it.
import { useEffect, useRef } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';

export function Dialog({ title, id, onClose, children }) {
  const ref = useRef(null);
  useEffect(() => {
    const opener = document.activeElement;
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      // Closed first: while it is open and modal, the rest of the page cannot take focus.
      if (dialog && dialog.open) dialog.close();
      if (opener && opener.focus) opener.focus();
    };
  }, []);
  const cancel = (e) => { e.preventDefault(); onClose(); };
  return html`<dialog ref=${ref} class="dialog" aria-labelledby=${`${id}-title`} onCancel=${cancel}>
    <h2 id=${`${id}-title`}>${title}</h2>
    ${children}
  </dialog>`;
}
