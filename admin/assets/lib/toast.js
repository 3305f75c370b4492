// Messages about what just happened ("Saved", "Moved to…"), shown where the eye is rather
// than at the top of a long page: a toast at the bottom of the window, in a live region that
// screen readers announce. Errors about one input stay beside that input; an error about the
// whole action is a toast with `role="alert"`.
import { signal } from '../vendor/signals.module.js';

export const toasts = signal([]);
let next = 0;

/** Shows `text` for a few seconds (`kind` is `ok` or `error`); an empty text shows nothing. */
export function say(text, kind = 'ok') {
  if (!text) return;
  const id = ++next;
  toasts.value = [...toasts.value.filter((x) => x.text !== text), { id, text, kind }].slice(-3);
  setTimeout(() => { toasts.value = toasts.value.filter((x) => x.id !== id); }, kind === 'error' ? 10000 : 6000);
}
