// The admin UI: sign in, then edit which fields are active and which are portal fields.
// Everything goes through /graphql, exactly as an integrator would.

const state = { token: sessionStorage.getItem('portico.token') };

async function gql(query, variables = {}) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  const res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await res.json();
  if (body.errors && body.errors.length) {
    const e = new Error(body.errors.map((x) => x.message).join('; '));
    e.code = body.errors[0].extensions && body.errors[0].extensions.code;
    throw e;
  }
  return body.data;
}

const $ = (sel) => document.querySelector(sel);

function showLogin(message = '') {
  $('#login').hidden = false;
  $('#fields').hidden = true;
  $('#login .error').textContent = message;
}

async function loadFields() {
  const entity = $('#entity').value;
  const data = await gql(
    `query($entity: EntityKind!) { fieldDefinitions(entity: $entity, includeInactive: true) {
       key label type block active system portalVisible portalEditable } }`,
    { entity },
  );
  const body = $('#fields tbody');
  body.replaceChildren();
  for (const f of data.fieldDefinitions) {
    const tr = document.createElement('tr');
    tr.className = f.active ? '' : 'inactive';
    for (const text of [f.block, f.label, f.key, f.type]) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    for (const prop of ['active', 'portalVisible', 'portalEditable']) {
      const td = document.createElement('td');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = f[prop];
      box.setAttribute('aria-label', `${f.label}: ${prop}`);
      box.addEventListener('change', async () => {
        try {
          await gql(
            `mutation($entity: EntityKind!, $key: String!, $input: UpdateFieldDefinitionInput!) {
               updateFieldDefinition(entity: $entity, key: $key, input: $input) { key } }`,
            { entity, key: f.key, input: { [prop]: box.checked } },
          );
          $('#fields .error').textContent = '';
          await loadFields();
        } catch (e) {
          $('#fields .error').textContent = e.message;
          box.checked = !box.checked;
        }
      });
      td.append(box);
      tr.append(td);
    }
    body.append(tr);
  }
}

async function start() {
  if (!state.token) return showLogin();
  try {
    const data = await gql('{ me { name email } }');
    $('#who').textContent = `${data.me.name} <${data.me.email}>`;
    $('#login').hidden = true;
    $('#fields').hidden = false;
    await loadFields();
  } catch (e) {
    sessionStorage.removeItem('portico.token');
    state.token = null;
    showLogin(e.code === 'UNAUTHENTICATED' ? '' : e.message);
  }
}

$('#login').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const form = new FormData(ev.target);
  try {
    const data = await gql(
      'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
      { email: form.get('email'), password: form.get('password') },
    );
    state.token = data.login.token;
    sessionStorage.setItem('portico.token', state.token);
    await start();
  } catch (e) {
    showLogin(e.message);
  }
});
$('#entity').addEventListener('change', () => loadFields().catch((e) => { $('#fields .error').textContent = e.message; }));
start();
