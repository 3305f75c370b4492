// The UI's strings in Spanish and English. The choice is the staff user's (kept on their
// account); before sign-in, this browser's last choice (localStorage) or its language.
import { signal, effect } from '../vendor/signals.module.js';
import es from '../i18n/es.js';
import en from '../i18n/en.js';

const catalogs = { es, en };
const stored = localStorage.getItem('portico.lang');
const browser = (navigator.language || 'es').slice(0, 2);

export const lang = signal(catalogs[stored] ? stored : catalogs[browser] ? browser : 'es');

effect(() => {
  document.documentElement.lang = lang.value;
  localStorage.setItem('portico.lang', lang.value);
});

/** Switches to `language` when it is one the UI speaks. */
export function adoptLanguage(language) {
  if (catalogs[language]) lang.value = language;
}

/** The text of `key` in the current language, with `{name}` placeholders filled; with
 * `n` = 1, the singular `<key>_one` where there is one. */
export function t(key, values = {}) {
  const catalog = catalogs[lang.value];
  const one = values.n === 1 && catalog[`${key}_one`] !== undefined ? `${key}_one` : key;
  let text = catalog[one] ?? catalogs.es[one] ?? key;
  for (const [name, value] of Object.entries(values)) text = text.replaceAll(`{${name}}`, value);
  return text;
}

/** An instant as people read it in the current language (`dateStyle`, and `timeStyle`
 * unless it is null); empty for none. */
export function when(iso, { date = 'medium', time = 'short' } = {}) {
  if (!iso) return '';
  const style = time ? { dateStyle: date, timeStyle: time } : { dateStyle: date };
  return new Intl.DateTimeFormat(lang.value, style).format(new Date(iso));
}

/** A field's label in the current language: the admin's own for it, else the shipped label
 * translated, else the label as written. */
export function fieldLabel(def) {
  const own = def.labels && def.labels[lang.value];
  return own || builtin(def.label);
}

/** An option of `def` in the current language: the admin's label for it, else the option
 * translated when Portico ships it, else as written. */
export function optionText(def, option) {
  const own = (def.optionLabels || []).find((x) => x.option === option);
  return (own && own[lang.value]) || builtin(option);
}

/** A field's help text in the current language, falling back to its own. */
export function fieldHelp(def) {
  return (def.helps && def.helps[lang.value]) || def.help || '';
}

/** A field's, block's or option's name in the current language when it is one Portico ships;
 * an admin's own names (or renamed ones) are shown as written. */
export function builtin(text) {
  const key = `builtin_${String(text).replaceAll(' ', '_')}`;
  return catalogs[lang.value][key] ?? text;
}
