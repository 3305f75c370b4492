#!/usr/bin/env bash
# Counts the instructions the server spends on N portal requests (SQLite), with valgrind's
# callgrind: unlike throughput runs, the count is the same run after run, so two builds can be
# compared exactly. Usage: callgrind_portal.sh BINARY OUT N [WHAT], WHAT one of
#   list        the GraphQL portal list (a portal user's 20 newest open cases), the default;
#   cases-page  the /portal/cases page;
#   case-page   a /portal/cases/<id> page with 20 documents;
#   conversation-page  a /portal/cases/<id> page whose conversation holds 60 messages (it shows
#               the newest 50, as with 500);
#   get         the staff GraphQL `case(id)` with an API session (the load benchmark's get).
# Needs valgrind, curl, python3. Builds its own data (a portal user with 30 cases) in a
# temporary directory. The count of the measured requests is in OUT.1.
set -euo pipefail
BIN=$1; OUT=$2; N=$3; WHAT=${4:-list}
DIR=$(mktemp -d); PORT=$((20000 + RANDOM % 10000))
PORTICO_LISTEN=127.0.0.1:$PORT PORTICO_DATA_DIR=$DIR PORTICO_DATABASE_URL="sqlite://$DIR/portico.db?mode=rwc" \
  PORTICO_ADMIN_EMAIL=admin@example.com PORTICO_ADMIN_PASSWORD="benchmark password" PORTICO_LOG=warn \
  valgrind --tool=callgrind --callgrind-out-file=$OUT "$BIN" > $DIR/out.log 2>&1 &
VG=$!
for i in $(seq 1 120); do curl -s -o /dev/null localhost:$PORT/healthz && break; sleep 1; done
G() { curl -s localhost:$PORT/graphql -H 'content-type: application/json' ${2:+-H "authorization: Bearer $2"} -d "$1"; }
P() { curl -s localhost:$PORT/portal/graphql -H 'content-type: application/json' ${2:+-H "authorization: Bearer $2"} -d "$1"; }
T=$(G '{"query":"mutation { login(email: \"admin@example.com\", password: \"benchmark password\") { token } }"}' | python3 -c "import sys,json;b=sys.stdin.read();d=json.loads(b);print(d['data']['login']['token']) if d.get('data') else sys.exit(b)")
G '{"query":"mutation { updateFieldDefinition(entity: CONTACT, key: \"portalUser\", input: {active: true}) { active } }"}' $T >/dev/null
C=$(G '{"query":"mutation { createContact(input: {name: \"Carla\", email: \"carla@example.com\"}) { id } }"}' $T | python3 -c "import sys,json;b=sys.stdin.read();d=json.loads(b);print(d['data']['createContact']['id']) if d.get('data') else sys.exit(b)")
for i in $(seq 1 30); do
  K=$(G "{\"query\":\"mutation { createCase(input: {subject: \\\"Case $i\\\", client: \\\"$C\\\"}) { id } }\"}" $T | python3 -c "import sys,json;b=sys.stdin.read();d=json.loads(b);print(d['data']['createCase']['id']) if d.get('data') else sys.exit(b)")
  G "{\"query\":\"mutation { setPortalAccess(caseId: \\\"$K\\\", contactId: \\\"$C\\\", enabled: true, canDownload: true) { enabled } }\"}" $T > /dev/null
done
sleep 4
sleep 3
TOK=$(python3 - "$DIR/mail" <<'PY'
import sys, os, re, email
from email import policy
best = None
for name in sorted(os.listdir(sys.argv[1]), key=lambda n: os.path.getmtime(os.path.join(sys.argv[1], n))):
    msg = email.message_from_bytes(open(os.path.join(sys.argv[1], name), 'rb').read(), policy=policy.default)
    body = msg.get_body(preferencelist=('plain',))
    m = re.search(r'pin_[0-9a-f]{64}', body.get_content() if body else '')
    if m:
        best = m.group(0)
print(best)
PY
)
PT=$(P "{\"query\":\"mutation { acceptInvitation(token: \\\"$TOK\\\", password: \\\"a portal password\\\") { token } }\"}" | python3 -c "import sys,json;b=sys.stdin.read();d=json.loads(b);print(d['data']['acceptInvitation']['token']) if d.get('data') else sys.exit(b)")
Q='{"query":"{ cases(status: [OPEN], first: 20) { edges { node { id subject status createdAt } } } }"}'
PAGE=/portal/cases
if [ "$WHAT" = case-page ]; then
  # Twenty documents, sent through the case page's upload form.
  CASE=$(P '{"query":"{ cases(first: 1) { edges { node { id } } } }"}' $PT | python3 -c "import sys,json;print(json.load(sys.stdin)['data']['cases']['edges'][0]['node']['id'])")
  CS=$(printf 'c%.0s' $(seq 1 64)); FILES=()
  for i in $(seq 1 20); do printf '%%PDF-1.4 document %s' $i > $DIR/doc$i.pdf; FILES+=(-F "files=@$DIR/doc$i.pdf;filename=Statement $i.pdf"); done
  # The form's token, from the page, as a browser has it (older builds put the cookie there).
  FT=$(curl -s -H "cookie: portico_portal_session=$PT; portico_csrf=$CS" localhost:$PORT/portal/cases/$CASE | python3 -c "import sys,re;print(re.search(r'name=\"csrf\" value=\"([^\"]+)\"', sys.stdin.read()).group(1))")
  curl -s -o /dev/null -H "cookie: portico_portal_session=$PT; portico_csrf=$CS" -H "sec-fetch-site: same-origin" -F csrf=$FT "${FILES[@]}" localhost:$PORT/portal/cases/$CASE/documents
  PAGE=/portal/cases/$CASE
fi
if [ "$WHAT" = conversation-page ]; then
  CASE=$(P '{"query":"{ cases(first: 1) { edges { node { id } } } }"}' $PT | python3 -c "import sys,json;print(json.load(sys.stdin)['data']['cases']['edges'][0]['node']['id'])")
  for i in $(seq 1 60); do
    G "{\"query\":\"mutation { postCaseMessage(caseId: \\\"$CASE\\\", body: \\\"Mensaje $i sobre la declaración: revise el borrador en https://ejemplo.es/guia y díganos si está conforme.\\\", internal: false) { id } }\"}" $T > /dev/null
  done
  PAGE=/portal/cases/$CASE
fi
ask() {
  if [ "$WHAT" = list ]; then P "$Q" $PT > /dev/null
  elif [ "$WHAT" = get ]; then G '{"query":"{ case(id: \"1\") { id subject status createdAt } }"}' $T > /dev/null
  else curl -s -o /dev/null -H "cookie: portico_portal_session=$PT" localhost:$PORT$PAGE; fi
}
for i in $(seq 1 20); do ask; done
callgrind_control -z $VG > /dev/null
for i in $(seq 1 $N); do ask; done
callgrind_control -d $VG > /dev/null
sleep 1
kill -INT $VG; wait $VG || true
P "$Q" $PT 2>/dev/null | head -c 200 || true
