// The server's search rule (engine/src/records/search.rs), for the short lists the UI holds
// whole (staff users): every typed word starts a word of the text, ignoring case and accents.

const words = (text) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()
  .split(/[^\p{L}\p{N}]+/u).filter(Boolean);

/** Whether `typed` finds `text`: "lucia" finds "Lucía", "fernan" finds "Fernández". */
export function foundBy(text, typed) {
  const have = words(text);
  return words(typed).every((w) => have.some((h) => h.startsWith(w)));
}
