// Runs every server audit of graphql-http against the URL given as the only argument and
// prints one line per audit that is not "ok", then a summary line `N passed, N failed`.
// Any result other than ok (error, warn or notice) counts as a failure: we aim for all 61.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
let passed = 0;
let failed = 0;
for (const audit of serverAudits({ url })) {
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
