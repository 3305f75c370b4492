// /graphql, as any integrator uses it; the session is the HttpOnly cookie the sign-in set, so
// no script ever holds a token.
import { signal } from '../vendor/signals.module.js';
import { adoptLanguage, lang } from './i18n.js';

/** The signed-in user (`me`), `null` when signed out, `undefined` while not yet known. */
export const me = signal(undefined);

export class GraphQLError extends Error {
  constructor(errors) {
    super(errors.map((e) => e.message).join('; '));
    const ext = errors[0].extensions || {};
    this.code = ext.code;
    this.field = ext.field;
    /** For PORTAL_EMAIL_CONFLICT: the other contacts with the email (`[{id, name}]`). */
    this.contacts = ext.contacts || [];
    this.errors = errors;
  }
}

export async function gql(query, variables = {}) {
  const res = await fetch('/graphql', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors && body.errors.length) {
    const error = new GraphQLError(body.errors);
    // The session ended (expired, signed out elsewhere): back to the sign-in, then here.
    if (error.code === 'UNAUTHENTICATED') me.value = null;
    throw error;
  }
  return body.data;
}

export async function loadMe() {
  try {
    const data = await gql('{ me { id name email language timeZone groups { name admin } } }');
    me.value = data.me;
    // The dates in their emails are written for their zone: the browser's, until they choose.
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (data.me && !data.me.timeZone && zone) {
      gql('mutation($z: String!) { setMyTimeZone(timeZone: $z) { id } }', { z: zone }).catch(() => {});
    }
    if (data.me && data.me.language) adoptLanguage(data.me.language);
    // Someone who never chose keeps the language the UI speaks to them (their browser's, or
    // this browser's last choice), on their account: the emails Portico sends them follow it.
    else if (data.me) await gql('mutation($l: String!) { setMyLanguage(language: $l) { id } }', { l: lang.value }).catch(() => {});
  } catch (e) {
    me.value = null;
  }
}

/** Signs in with the session endpoint; answers the error code on failure. */
export async function signIn(email, password) {
  const res = await fetch('/admin/session', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status === 204) {
    await loadMe();
    return null;
  }
  const body = await res.json().catch(() => ({}));
  const first = (body.errors || [])[0];
  return (first && first.extensions && first.extensions.code) || 'INTERNAL';
}

/** The staff user's language, kept on their account so every device they use speaks it. */
export async function chooseLanguage(language) {
  adoptLanguage(language);
  if (me.value) {
    try { await gql('mutation($l: String!) { setMyLanguage(language: $l) { id } }', { l: language }); } catch (e) { /* kept in this browser */ }
  }
}

export async function signOut() {
  await fetch('/admin/session', { method: 'DELETE', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' } });
  me.value = null;
}
