// The firm's brand (`/admin/branding`, admins): its name, welcome text, colour, currency and
// logo, worn by the portal, its sign-in page and every email. The colour's contrast is
// measured as it is picked, with the rule the server applies, so a colour that would be
// refused says so before saving; each message sits beside the control it is about.
import { useEffect, useState } from '../vendor/hooks.module.js';
import { html } from '../lib/html.js';
import { t, when } from '../lib/i18n.js';
import { gql } from '../lib/graphql.js';
import { upload } from '../lib/upload.js';

const FIELDS = 'firmName welcomeText primaryColor currency logoUrl';
const LOAD = `{ branding { ${FIELDS} } }`;
const SAVE = `mutation($i: BrandingInput!) { updateBranding(input: $i) { ${FIELDS} } }`;
const LOGO = `mutation($f: Upload!) { uploadBrandingLogo(file: $f) { ${FIELDS} } }`;
const REMOVE_LOGO = `mutation { removeBrandingLogo }`;
const MIN_CONTRAST = 4.5;
// The backgrounds the colour is drawn against: white (button text) and the light header.
const BACKGROUNDS = [[255, 255, 255], [0xf5, 0xf7, 0xfa]];

function luminance([r, g, b]) {
  const c = (v) => { const s = v / 255; return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
  return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
}

/** The lowest contrast of `#rrggbb` against the backgrounds, or null when it is not a colour. */
export function contrast(hex) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!m) return null;
  const l = luminance(m.slice(1).map((x) => parseInt(x, 16)));
  return Math.min(...BACKGROUNDS.map((bg) => {
    const k = luminance(bg);
    return (Math.max(l, k) + 0.05) / (Math.min(l, k) + 0.05);
  }));
}

const CERTIFICATE = `{ signingCertificate { subject notAfter sha256 } }`;
const REPLACE_IDENTITY = `mutation($k: String!, $c: String!) { replaceSigningIdentity(privateKeyPem: $k, certificatePem: $c) { subject notAfter sha256 } }`;

/** The key and certificate signed documents carry: Portico's own until the firm brings one. */
function SigningIdentity() {
  const [cert, setCert] = useState(null);
  const [key, setKey] = useState('');
  const [pem, setPem] = useState('');
  const [error, setError] = useState(null);
  const [status, setStatus] = useState('');
  useEffect(() => { gql(CERTIFICATE).then((d) => setCert(d.signingCertificate)).catch((e) => setError({ message: e.message })); }, []);
  const replace = async (e) => {
    e.preventDefault();
    try {
      const d = await gql(REPLACE_IDENTITY, { k: key, c: pem });
      setCert(d.replaceSigningIdentity);
      setKey('');
      setPem('');
      setError(null);
      setStatus(t('signing_replaced'));
    } catch (err) { setError(err); }
  };
  const bad = (f) => (error && error.field === f ? { 'aria-invalid': 'true', 'aria-describedby': 'sig-error' } : {});
  return html`<form id="signing-identity" class="stack card" onSubmit=${replace}>
    <h2>${t('signing_title')}</h2>
    ${cert ? html`<dl class="answers"><dt>${t('signing_subject')}</dt><dd>${cert.subject}</dd>
      <dt>${t('signing_not_after')}</dt><dd>${when(cert.notAfter)}</dd><dt>SHA-256</dt><dd><code>${cert.sha256}</code></dd></dl>`
      : html`<p>${t('loading')}</p>`}
    <p class="hint">${t('signing_hint')}</p>
    <label for="sig-key">${t('signing_key')}</label>
    <textarea id="sig-key" rows="4" value=${key} onInput=${(e) => setKey(e.target.value)} ...${bad('privateKeyPem')}></textarea>
    <label for="sig-cert">${t('signing_certificate')}</label>
    <textarea id="sig-cert" rows="4" value=${pem} onInput=${(e) => setPem(e.target.value)} ...${bad('certificatePem')}></textarea>
    ${error && html`<p role="alert" class="error" id="sig-error">${error.message}</p>`}
    <button type="submit" disabled=${!key.trim() || !pem.trim()}>${t('signing_replace')}</button>
    <p role="status" class="notice">${status}</p>
  </form>`;
}

export function Branding() {
  const [brand, setBrand] = useState(null);
  const [color, setColor] = useState('#1d4ed8');
  // What is typed, kept across re-renders (a colour picked must not undo the name typed).
  const [draft, setDraft] = useState({ firmName: '', welcomeText: '', currency: '' });
  const [errors, setErrors] = useState({});
  const [saved, setSaved] = useState('');
  const [logoStatus, setLogoStatus] = useState('');
  const show = (b) => {
    setBrand(b);
    setColor(b.primaryColor);
    setDraft({ firmName: b.firmName, welcomeText: b.welcomeText, currency: b.currency });
  };
  const typed = (name) => (e) => setDraft({ ...draft, [name]: e.target.value });
  useEffect(() => { gql(LOAD).then((d) => show(d.branding)); }, []);
  if (!brand) return html`<h1>${t('branding')}</h1><p>${t('loading')}</p>`;

  const ratio = contrast(color);
  const submit = async (e) => {
    e.preventDefault();
    const input = { ...draft, primaryColor: color };
    try {
      const d = await gql(SAVE, { i: input });
      show(d.updateBranding);
      setErrors({});
      setSaved(t('branding_saved'));
    } catch (err) {
      setSaved('');
      setErrors({ [err.field || 'form']: err.message });
    }
  };
  const chooseLogo = async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    setLogoStatus(t('uploading'));
    setErrors({ ...errors, file: undefined });
    try {
      const d = await upload(LOGO, {}, 'f', file, () => {});
      show(d.uploadBrandingLogo);
      setLogoStatus(t('branding_logo_saved'));
    } catch (err) {
      setLogoStatus('');
      setErrors({ ...errors, file: err.message });
    }
    e.target.value = '';
  };
  const removeLogo = async () => {
    await gql(REMOVE_LOGO);
    const d = await gql(LOAD);
    show(d.branding);
    setLogoStatus(t('branding_logo_removed'));
  };
  const invalid = (name) => (errors[name] ? { 'aria-invalid': 'true', 'aria-describedby': `br-${name}-error` } : {});
  const error = (name) => errors[name] && html`<p class="error" id=${`br-${name}-error`}>${errors[name]}</p>`;
  const tooLight = ratio !== null && ratio < MIN_CONTRAST;
  return html`
    <h1>${t('branding')}</h1>
    <p class="hint">${t('branding_lead')}</p>
    <form class="stack card" id="branding-form" onSubmit=${submit} novalidate>
      <h2>${t('branding_identity')}</h2>
      <label for="br-firmName">${t('branding_firm_name')}</label>
      <input id="br-firmName" name="firmName" value=${draft.firmName} onInput=${typed('firmName')} maxlength="120" ...${invalid('firmName')} />
      <p class="hint">${t('branding_firm_name_hint')}</p>
      ${error('firmName')}
      <label for="br-welcomeText">${t('branding_welcome')}</label>
      <textarea id="br-welcomeText" name="welcomeText" rows="4" maxlength="2000" value=${draft.welcomeText} onInput=${typed('welcomeText')} ...${invalid('welcomeText')}></textarea>
      <p class="hint">${t('branding_welcome_hint')}</p>
      ${error('welcomeText')}
      <label for="br-primaryColor">${t('branding_color')}</label>
      <span class="color-row">
        <input id="br-primaryColor" name="primaryColor" type="color" value=${color}
          onInput=${(e) => setColor(e.target.value)} aria-describedby="br-contrast" ...${invalid('primaryColor')} />
        <span class="swatch-button" style=${`background:${color}`} aria-hidden="true">${t('branding_sample_button')}</span>
        <a href="#" class="swatch-link" style=${`color:${color}`} onClick=${(e) => e.preventDefault()} tabindex="-1" aria-hidden="true">${t('branding_sample_link')}</a>
      </span>
      <p id="br-contrast" class=${tooLight ? 'error' : 'hint'} aria-live="polite">
        ${ratio === null ? '' : t(tooLight ? 'branding_contrast_low' : 'branding_contrast_ok', { ratio: ratio.toFixed(1), min: MIN_CONTRAST })}
      </p>
      ${error('primaryColor')}
      <label for="br-currency">${t('branding_currency')}</label>
      <input id="br-currency" name="currency" value=${draft.currency} onInput=${typed('currency')} maxlength="3" size="4" autocapitalize="characters"
        list="br-currencies" aria-describedby="br-currency-hint" ...${invalid('currency')} />
      <datalist id="br-currencies">${['EUR', 'USD', 'GBP', 'CHF', 'MXN', 'ARS', 'COP', 'CLP'].map((c) => html`<option value=${c} />`)}</datalist>
      <p class="hint" id="br-currency-hint">${t('branding_currency_hint')}</p>
      ${error('currency')}
      <span class="save-row"><button type="submit" disabled=${tooLight}>${t('save')}</button>
        <span role="status" class="notice">${saved}</span></span>
      ${error('form')}
    </form>
    <section class="stack card" aria-labelledby="br-logo-heading">
      <h2 id="br-logo-heading">${t('branding_logo')}</h2>
      ${brand.logoUrl
        ? html`<img class="logo-preview" src=${brand.logoUrl} alt=${t('branding_logo_current')} />`
        : html`<p class="hint">${t('branding_no_logo')}</p>`}
      <label for="br-logo">${t('branding_logo_choose')}</label>
      <input id="br-logo" type="file" accept="image/png,image/jpeg,image/svg+xml,.svg" onChange=${chooseLogo}
        aria-describedby="br-logo-hint" ...${invalid('file')} />
      <p class="hint" id="br-logo-hint">${t('branding_logo_hint')}</p>
      ${error('file')}
      ${brand.logoUrl && html`<button type="button" class="secondary" onClick=${removeLogo}>${t('branding_logo_remove')}</button>`}
      <p role="status" class="notice">${logoStatus}</p>
    </section>
    <${SigningIdentity} />`;
}
