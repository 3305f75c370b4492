//! Who is looking at a page: their language, their CSRF token and, when signed in, their
//! portal handle; and the answers every page shares (render, redirect to sign in, 404).
//!
//! Pages take the visitor as an extractor, authenticated once per request:
//! [`PageContext`] (anyone), [`SignedIn`] (a portal user; anyone else is sent to sign in and
//! brought back) and [`CheckedForm`] (a form POST whose CSRF token holds; a forged one never
//! reaches the handler).

use super::super::AppState;
use super::super::auth::{PORTAL_SESSION_COOKIE, cookie};
use super::csrf::{self, CSRF_COOKIE};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::{ACCEPT_LANGUAGE, CACHE_CONTROL, CONTENT_TYPE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_engine::PortalHandle;
use portico_theme::email::Language;
use portico_theme::i18n::Strings;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub const LANG_COOKIE: &str = "portico_lang";

/// The header's view of the signed-in user: their name and organisations.
pub async fn me_value(h: &PortalHandle, t: &Strings) -> Value {
    match h.me().await {
        Ok(me) => {
            let current = me.current_organisation.as_ref();
            let label = current.map(|o| {
                t.fill(
                    "organisation_current",
                    &[("name", o.get("name").as_str().unwrap_or_default())],
                )
            });
            json!({
                "name": me.contact.get("name"),
                "organisations": me.organisations.iter().map(|o| json!({
                    "id": o.id,
                    "name": o.get("name"),
                    "current": current.is_some_and(|c| c.id == o.id),
                })).collect::<Vec<_>>(),
                "organisation": current.is_some(),
                "organisation_label": label,
            })
        }
        Err(_) => json!({"name": h.name(), "organisations": [], "organisation": false}),
    }
}

impl FromRequestParts<AppState> for PageContext {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        PageContext::of(state, &parts.headers, path_of(&parts.uri)).await
    }
}

/// A signed-in portal user's page. Anyone else is sent to sign in, and back here after.
pub struct SignedIn {
    pub ctx: PageContext,
    pub handle: PortalHandle,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ctx = PageContext::from_request_parts(parts, state).await?;
        match ctx.handle.clone() {
            Some(handle) => Ok(SignedIn { ctx, handle }),
            None => Err(ctx.to_login()),
        }
    }
}

/// A form that carries the page's CSRF token.
pub trait CarriesToken {
    fn csrf(&self) -> Option<&str>;
}

/// `CarriesToken` for forms whose token is their `csrf: Option<String>` field.
macro_rules! carries_token {
    ($($form:ty),+ $(,)?) => {
        $(impl super::visitor::CarriesToken for $form {
            fn csrf(&self) -> Option<&str> {
                self.csrf.as_deref()
            }
        })+
    };
}
pub(super) use carries_token;

/// A urlencoded form POST that came from our own page ([`csrf::allowed`]). A forged or
/// expired one is answered with the page that says so, before the handler runs.
pub struct CheckedForm<T>(pub T);

impl<T> FromRequest<AppState> for CheckedForm<T>
where
    T: DeserializeOwned + CarriesToken + Send,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (parts, body) = req.into_parts();
        let headers = parts.headers.clone();
        let path = path_of(&parts.uri);
        let axum::Form(form) =
            axum::Form::<T>::from_request(Request::from_parts(parts, body), state)
                .await
                .map_err(IntoResponse::into_response)?;
        if csrf::allowed(state, &headers, form.csrf()) {
            return Ok(CheckedForm(form));
        }
        let ctx = PageContext::of(state, &headers, path).await?;
        Err(ctx.forged(state).await)
    }
}

/// What every page needs to know about its visitor.
pub struct PageContext {
    pub lang: Language,
    /// The token this page's forms carry ([`super::csrf::form_token`]).
    pub csrf: String,
    /// The visitor's `portico_csrf` cookie: theirs, or a new one set with this answer.
    nonce: String,
    new_csrf: bool,
    pub handle: Option<PortalHandle>,
    /// The path and query asked for, to come back to after signing in.
    pub path: String,
    secure: bool,
}

impl PageContext {
    pub async fn of(
        state: &AppState,
        headers: &HeaderMap,
        path: String,
    ) -> Result<PageContext, Response> {
        let lang = portico_theme::i18n::negotiate(
            cookie(headers, LANG_COOKIE),
            headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
        );
        let (nonce, new_csrf) = match cookie(headers, CSRF_COOKIE).filter(|c| c.len() == 64) {
            Some(c) => (c.to_owned(), false),
            None => (portico_engine::identity::random_token(), true),
        };
        if let Err(e) = state.engine.sync().await {
            tracing::error!(error = %e, "a portal page failed before rendering");
            return Err(plain_error(lang));
        }
        let handle = match cookie(headers, PORTAL_SESSION_COOKIE) {
            Some(token) => match state.engine.authenticate_portal(token).await {
                Ok(h) => h,
                Err(e) => {
                    tracing::error!(error = %e, "authenticating a portal page failed");
                    return Err(plain_error(lang));
                }
            },
            None => None,
        };
        let csrf = csrf::form_token(state, &nonce, cookie(headers, PORTAL_SESSION_COOKIE));
        Ok(PageContext {
            lang,
            csrf,
            nonce,
            new_csrf,
            handle,
            path,
            secure: state.public_url.starts_with("https://"),
        })
    }

    pub fn strings<'a>(&self, state: &'a AppState) -> &'a portico_theme::i18n::Strings {
        state.pages.catalog().strings(self.lang)
    }

    /// A cookie attribute set: every cookie of ours is HttpOnly and SameSite=Lax, and Secure
    /// whenever the portal is served over https.
    pub fn cookie(&self, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
        let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
        if let Some(age) = max_age {
            c.push_str(&format!("; Max-Age={age}"));
        }
        if self.secure {
            c.push_str("; Secure");
        }
        HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("portico_invalid=1"))
    }

    /// Renders a page with the visitor's common values added to `data`.
    pub async fn render(
        &self,
        state: &AppState,
        page: &str,
        title: &str,
        status: StatusCode,
        data: Value,
    ) -> Response {
        let mut data = data;
        let me = match &self.handle {
            Some(h) => me_value(h, self.strings(state)).await,
            None => Value::Null,
        };
        if let Value::Object(map) = &mut data {
            map.insert("title".into(), json!(title));
            map.insert("path".into(), json!(self.path));
            map.insert("csrf".into(), json!(self.csrf));
            map.insert("me".into(), me);
            map.insert("brand".into(), brand_value(state, self.strings(state)));
        }
        match state.pages.render(page, self.lang, data) {
            Ok(html) => {
                let mut r = (status, html).into_response();
                let h = r.headers_mut();
                h.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                );
                // Pages show a person's own data: never kept by a shared cache.
                h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
                self.set_csrf(&mut r);
                r
            }
            Err(e) => {
                tracing::error!(error = %e, "rendering a portal page failed");
                plain_error(self.lang)
            }
        }
    }

    fn set_csrf(&self, r: &mut Response) {
        if self.new_csrf {
            r.headers_mut()
                .append(SET_COOKIE, self.cookie(CSRF_COOKIE, &self.nonce, None));
        }
    }

    /// Sends a visitor without a session to sign in, and back here after.
    pub fn to_login(&self) -> Response {
        let next = percent_encode(&self.path);
        redirect(&format!("/portal/login?next={next}"))
    }

    /// A form that did not come from our page (or from one too old to trust).
    pub async fn forged(&self, state: &AppState) -> Response {
        let t = self.strings(state);
        self.render(
            state,
            "message",
            t.get("csrf_title"),
            StatusCode::FORBIDDEN,
            json!({"heading": t.get("csrf_title"), "lead": t.get("csrf_lead")}),
        )
        .await
    }

    pub async fn not_found(&self, state: &AppState) -> Response {
        let t = self.strings(state);
        self.render(
            state,
            "message",
            t.get("not_found_title"),
            StatusCode::NOT_FOUND,
            json!({"heading": t.get("not_found_title"), "lead": t.get("not_found_lead"), "action_href": "/portal", "action_label": t.get("back_home")}),
        )
        .await
    }

    pub async fn failed(&self, state: &AppState, e: portico_engine::EngineError) -> Response {
        match e {
            portico_engine::EngineError::NotFound { .. } => self.not_found(state).await,
            portico_engine::EngineError::Unauthenticated => self.to_login(),
            other => {
                tracing::error!(error = %other, "a portal page failed");
                let t = self.strings(state);
                self.render(
                    state,
                    "message",
                    t.get("error_title"),
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"heading": t.get("error_title"), "lead": t.get("error_lead")}),
                )
                .await
            }
        }
    }
}

/// The firm's brand as every page wears it: its name (or the portal's), colour, logo and
/// welcome text.
fn brand_value(state: &AppState, t: &portico_theme::i18n::Strings) -> Value {
    let b = state.engine.branding();
    let name = if b.firm_name.is_empty() {
        t.get("site_name").to_owned()
    } else {
        b.firm_name.clone()
    };
    json!({
        "name": name,
        "color": b.primary_color,
        "custom_color": b.primary_color != portico_engine::branding::DEFAULT_COLOR,
        "logo": b.logo_path(),
        "welcome": b.welcome_text,
        // The home-screen icon in the brand's colour (see `app_manifest`).
        "icon": format!("/portal/icons/icon-{}-192.png", b.primary_color.trim_start_matches('#')),
    })
}

/// The path and query a page was asked for, to come back to after signing in.
pub fn path_of(uri: &axum::http::Uri) -> String {
    uri.path_and_query()
        .map_or("/portal".into(), |p| p.as_str().to_owned())
}

/// A 303 to `location` (after a POST the browser then GETs it).
pub fn redirect(location: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(LOCATION, v);
    }
    r
}

/// A page of its own when even rendering failed.
fn plain_error(lang: Language) -> Response {
    let text = match lang {
        Language::Es => "Algo salió mal. Vuelva a intentarlo dentro de un momento.",
        Language::En => "Something went wrong. Please try again in a moment.",
    };
    (StatusCode::INTERNAL_SERVER_ERROR, text).into_response()
}

/// Where to go after signing in: a path of the portal, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/portal") && !n.starts_with("//") && !n.contains('\\') => {
            n.to_owned()
        }
        _ => "/portal".to_owned(),
    }
}

pub fn percent_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_sends_back_only_to_the_portal() {
        assert_eq!(
            safe_next(Some("/portal/cases?status=OPEN")),
            "/portal/cases?status=OPEN"
        );
        assert_eq!(safe_next(Some("https://evil.example/")), "/portal");
        assert_eq!(safe_next(Some("//evil.example/portal")), "/portal");
        assert_eq!(safe_next(Some("/admin")), "/portal");
        assert_eq!(safe_next(None), "/portal");
        assert_eq!(
            percent_encode("/portal/cases?q=a b&x"),
            "/portal/cases%3Fq%3Da%20b%26x"
        );
    }
}
