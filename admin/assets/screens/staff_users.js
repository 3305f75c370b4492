// Staff users and permission groups (`/admin/users`, admins): create a user, edit one (name,
// email, groups, a new password), deactivate and reactivate; groups with the admin and portal
// settings.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t } from '../lib/i18n.js';
import { say } from '../lib/toast.js';
import { gql, me } from '../lib/graphql.js';

const LOAD = `{ staffUsers { id name email active invitationPending groups { id } } permissionGroups { id name admin portalAccess } }`;
const RESEND = `mutation($id: ID!) { sendStaffInvitation(userId: $id) { id } }`;
const CREATE = `mutation($i: CreateStaffUserInput!) { createStaffUser(input: $i) { id name } }`;
const UPDATE = `mutation($id: ID!, $i: UpdateStaffUserInput!) { updateStaffUser(id: $id, input: $i) { id name } }`;
const CREATE_GROUP = `mutation($i: CreatePermissionGroupInput!) { createPermissionGroup(input: $i) { id name } }`;
const UPDATE_GROUP = `mutation($id: ID!, $i: UpdatePermissionGroupInput!) { updatePermissionGroup(id: $id, input: $i) { id } }`;

/** A form's error, shown beside the input the server named. */
function useErrors() {
  const [errors, setErrors] = useState({});
  const fail = (err, fallback) => setErrors({ [err.field || fallback]: err.message });
  const props = (prefix, name) => ({
    'aria-invalid': errors[name] ? 'true' : undefined,
    'aria-describedby': errors[name] ? `${prefix}-${name}-error` : undefined,
  });
  const show = (prefix, name) => errors[name] && html`<p class="error" id=${`${prefix}-${name}-error`}>${errors[name]}</p>`;
  return { errors, setErrors, fail, props, show };
}

function GroupChoice({ prefix, groups, chosen, set }) {
  return html`<fieldset><legend>${t('groups')}</legend>
    ${groups.length === 0 && html`<p class="hint">${t('no_groups')}</p>`}
    ${groups.map((g) => html`<span class="check"><input type="checkbox" id=${`${prefix}-g-${g.id}`} checked=${chosen.includes(g.id)}
      onChange=${(e) => set(e.target.checked ? [...chosen, g.id] : chosen.filter((x) => x !== g.id))} />
      <label for=${`${prefix}-g-${g.id}`}>${g.name}</label></span>`)}
    <p class="hint">${t('groups_hint')}</p>
  </fieldset>`;
}

function UserForm({ user, groups, onDone, onCancel }) {
  const prefix = user ? `u${user.id}` : 'nu';
  const [name, setName] = useState(user ? user.name : '');
  const [email, setEmail] = useState(user ? user.email : '');
  const [password, setPassword] = useState('');
  // A new user chooses their own password from an email unless the admin says otherwise.
  const [invite, setInvite] = useState(true);
  const [chosen, setChosen] = useState(user ? user.groups.map((g) => g.id) : []);
  const { setErrors, fail, props, show } = useErrors();
  const submit = async (e) => {
    e.preventDefault();
    try {
      if (user) {
        const input = { name, email, groups: chosen };
        if (password) input.password = password;
        await gql(UPDATE, { id: user.id, i: input });
      } else {
        const input = { name, email, groups: chosen };
        if (!invite) input.password = password;
        await gql(CREATE, { i: input });
        // The form is ready for the next person (it kept the last one's name and password).
        setName(''); setEmail(''); setPassword(''); setChosen([]); setInvite(true);
      }
      setErrors({});
      onDone(t(user ? 'user_saved' : invite ? 'user_invited' : 'user_created', { name }));
    } catch (err) { fail(err, 'name'); }
  };
  return html`<form class="stack card" id=${`${prefix}-form`} onSubmit=${submit} novalidate>
    <h2>${user ? t('edit_user', { name: user.name }) : t('new_user')}</h2>
    <label for=${`${prefix}-name`}>${t('name')}</label>
    <input id=${`${prefix}-name`} value=${name} onInput=${(e) => setName(e.target.value)} ...${props(prefix, 'name')} />${show(prefix, 'name')}
    <label for=${`${prefix}-email`}>${t('email')}</label>
    <input id=${`${prefix}-email`} type="email" value=${email} onInput=${(e) => setEmail(e.target.value)} ...${props(prefix, 'email')} />${show(prefix, 'email')}
    ${!user && html`<fieldset><legend>${t('new_user_access')}</legend>
      <span class="check"><input type="radio" name=${`${prefix}-access`} id=${`${prefix}-invite`} checked=${invite} onChange=${() => setInvite(true)} />
        <label for=${`${prefix}-invite`}>${t('access_invite')}</label></span>
      <span class="check"><input type="radio" name=${`${prefix}-access`} id=${`${prefix}-set`} checked=${!invite} onChange=${() => setInvite(false)} />
        <label for=${`${prefix}-set`}>${t('access_password')}</label></span></fieldset>`}
    ${(user || !invite) && html`<label for=${`${prefix}-password`}>${user ? t('new_password_optional') : t('password')}</label>
    <input id=${`${prefix}-password`} type="password" autocomplete="new-password" value=${password} onInput=${(e) => setPassword(e.target.value)}
      ...${props(prefix, 'password')} />${show(prefix, 'password')}
    <p class="hint">${t('password_rule')}${user ? ` ${t('password_reset_effect')}` : ''}</p>`}
    <${GroupChoice} prefix=${prefix} groups=${groups} chosen=${chosen} set=${setChosen} />${show(prefix, 'groups')}
    <div class="buttons"><button type="submit">${user ? t('save') : t('create_user')}</button>
      ${onCancel && html`<button type="button" class="secondary" onClick=${onCancel}>${t('cancel')}</button>`}</div>
  </form>`;
}

function Groups({ groups, reload, say }) {
  const [name, setName] = useState('');
  const [error, setError] = useState(null);
  const [renaming, setRenaming] = useState(null);
  const rename = async (e, g) => {
    e.preventDefault();
    const to = String(new FormData(e.target).get('name') || '').trim();
    try {
      await gql(UPDATE_GROUP, { id: g.id, i: { name: to } });
      setRenaming(null); setError(null);
      say(t('group_renamed', { name: to }));
    } catch (err) { setError(err.message); }
    reload();
  };
  const toggle = async (g, prop, value) => {
    try { await gql(UPDATE_GROUP, { id: g.id, i: { [prop]: value } }); setError(null); say(t('saved_field', { label: g.name })); } catch (err) { say(err.message, 'error'); }
    reload();
  };
  const create = async (e) => {
    e.preventDefault();
    try {
      await gql(CREATE_GROUP, { i: { name, admin: false, portalAccess: false } });
      say(t('group_created', { name }));
      setName(''); setError(null);
      reload();
    } catch (err) { setError(err.message); }
  };
  return html`<section aria-labelledby="groups-title"><h2 id="groups-title">${t('permission_groups')}</h2>
    <p class="hint">${t('groups_explained')}</p>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    <div class="scroll"><table><caption class="visually-hidden">${t('permission_groups')}</caption>
      <thead><tr><th scope="col">${t('name')}</th><th scope="col">${t('group_admin')}</th><th scope="col">${t('group_portal')}</th>
        <th scope="col">${t('actions')}</th></tr></thead>
      <tbody>${groups.map((g) => html`<tr><th scope="row">${renaming === g.id ? html`<form class="inline" id=${`gr-form-${g.id}`} onSubmit=${(e) => rename(e, g)}>
          <label class="visually-hidden" for=${`gr-${g.id}`}>${t('new_name_of', { name: g.name })}</label>
          <input id=${`gr-${g.id}`} name="name" value=${g.name} />
          <button type="submit">${t('save')}</button>
          <button type="button" class="link" onClick=${() => setRenaming(null)}>${t('cancel')}</button></form>` : g.name}</th>
        <td><input type="checkbox" id=${`ga-${g.id}`} checked=${g.admin} aria-label=${`${t('group_admin')}: ${g.name}`} onChange=${(e) => toggle(g, 'admin', e.target.checked)} /></td>
        <td><input type="checkbox" id=${`gp-${g.id}`} checked=${g.portalAccess} aria-label=${`${t('group_portal')}: ${g.name}`} onChange=${(e) => toggle(g, 'portalAccess', e.target.checked)} /></td>
        <td><button type="button" class="link" id=${`rename-group-${g.id}`} onClick=${() => setRenaming(g.id)}>${t('rename')}<span class="visually-hidden"> ${g.name}</span></button></td></tr>`)}
      </tbody></table></div>
    <form class="filters" id="group-form" onSubmit=${create}>
      <label for="ng-name">${t('new_group')}</label>
      <input id="ng-name" value=${name} onInput=${(e) => setName(e.target.value)} required />
      <button type="submit">${t('create_group')}</button>
    </form>
  </section>`;
}

export function StaffUsers() {
  const [data, setData] = useState(null);
  const [editing, setEditing] = useState(null);
  const setStatus = say;
  const [error, setError] = useState(null);
  const load = () => gql(LOAD).then(setData).catch((e) => setError(e.message));
  useEffect(() => { load(); }, []);
  const done = (message) => { setStatus(message); setEditing(null); load(); };
  const setActive = async (u, active) => {
    try {
      await gql(UPDATE, { id: u.id, i: { active } });
      setError(null);
      setStatus(t(active ? 'user_reactivated' : 'user_deactivated', { name: u.name }));
    } catch (err) { setError(err.message); }
    load();
  };
  const resend = async (u) => {
    try {
      await gql(RESEND, { id: u.id });
      setError(null);
      setStatus(t('invitation_sent_again', { email: u.email }));
    } catch (err) { setError(err.message); }
  };
  if (!data) return html`<h1>${t('staff_users')}</h1><p>${error || t('loading')}</p>`;
  const groupName = (id) => (data.permissionGroups.find((g) => g.id === id) || {}).name;
  return html`
    <h1>${t('staff_users')}</h1>
    ${error && html`<p role="alert" class="error">${error}</p>`}
    <div class="scroll"><table><caption class="visually-hidden">${t('staff_users')}</caption>
      <thead><tr><th scope="col">${t('name')}</th><th scope="col">${t('email')}</th><th scope="col">${t('groups')}</th>
        <th scope="col">${t('state')}</th><th scope="col">${t('actions')}</th></tr></thead>
      <tbody>${data.staffUsers.map((u) => html`<tr class=${u.active ? '' : 'inactive'}>
        <th scope="row">${u.name}</th><td>${u.email}</td>
        <td>${u.groups.map((g) => groupName(g.id)).join(', ') || html`<span class="hint">${t('plain_staff')}</span>`}</td>
        <td>${!u.active ? t('user_inactive') : u.invitationPending ? t('invitation_pending') : t('user_active')}</td>
        <td class="actions">
          <button type="button" class="link" id=${`edit-${u.id}`} onClick=${() => setEditing(u.id)}>${t('edit')}<span class="visually-hidden"> ${u.name}</span></button>
          ${u.active && u.invitationPending && html`<button type="button" class="link" id=${`resend-${u.id}`} onClick=${() => resend(u)}>
            ${t('send_invitation_again')}<span class="visually-hidden"> ${u.name}</span></button>`}
          ${me.value && me.value.id !== u.id && html`<button type="button" class="link" id=${`toggle-${u.id}`} onClick=${() => setActive(u, !u.active)}>
            ${u.active ? t('deactivate') : t('reactivate')}<span class="visually-hidden"> ${u.name}</span></button>`}
        </td></tr>`)}</tbody></table></div>
    ${editing && html`<${UserForm} key=${editing} user=${data.staffUsers.find((u) => u.id === editing)} groups=${data.permissionGroups}
      onDone=${done} onCancel=${() => setEditing(null)} />`}
    ${!editing && html`<${UserForm} key="new" user=${null} groups=${data.permissionGroups} onDone=${done} />`}
    <${Groups} groups=${data.permissionGroups} reload=${load} say=${setStatus} />`;
}
