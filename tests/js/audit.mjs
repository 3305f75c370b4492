// Runs every server audit of graphql-http against the URL given as the first argument, signed
// in with the bearer token given as the second (reading the schema needs a principal), and
// prints one line per audit that is not "ok", then a summary line `N passed, N failed`.
// Any result other than ok (error, warn or notice) counts as a failure: we aim for all 61.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const token = process.argv[3];
if (!url || !token) {
  console.error('usage: node audit.mjs URL TOKEN');
  process.exit(2);
}
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};
let passed = 0;
let failed = 0;
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  if (result.status === 'ok') {
    passed++;
  } else {
    failed++;
    console.log(`${result.status} ${result.id} ${result.name}: ${result.reason}`);
  }
}
console.log(`audits: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
