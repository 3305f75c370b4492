//! Signing in and out, asking for a reset link, and choosing a password from an emailed link
//! (an invitation or a reset): the pages every email leads to.

use super::super::AppState;
use super::super::auth::PORTAL_SESSION_COOKIE;
use super::super::client_address::ClientAddress;
use super::visitor::{CheckedForm, PageContext, carries_token, redirect, safe_next};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::Response;
use portico_engine::identity::Session;
use portico_engine::portal::{LinkState, PortalLink};
use portico_engine::{EngineError, now_micros};
use serde::Deserialize;
use serde_json::json;
use std::net::IpAddr;

/// Signs the visitor in with `session` and sends them on.
fn signed_in(ctx: &PageContext, session: &Session, to: &str) -> Response {
    let mut r = redirect(to);
    let age = (session.expires_at - now_micros()) / 1_000_000;
    r.headers_mut().append(
        SET_COOKIE,
        ctx.cookie(PORTAL_SESSION_COOKIE, &session.token, Some(age.max(0))),
    );
    r
}

#[derive(Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
    signed_out: Option<String>,
    /// Filled in when an invitation whose account is set up sends its reader here.
    email: Option<String>,
    account_ready: Option<String>,
}

pub async fn login_page(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(q): Query<LoginQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if ctx.handle.is_some() {
        return redirect(&next);
    }
    let t = ctx.strings(&state);
    let notice = match (q.signed_out, q.account_ready) {
        (Some(_), _) => Some(t.get("signed_out")),
        (None, Some(_)) => Some(t.get("account_ready")),
        (None, None) => None,
    };
    let email = q.email.unwrap_or_default();
    ctx.render(
        &state,
        "login",
        t.get("login_title"),
        StatusCode::OK,
        json!({"next": next, "email": email, "error": null, "notice": notice}),
    )
    .await
}

#[derive(Deserialize)]
pub struct LoginForm {
    csrf: Option<String>,
    next: Option<String>,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

carries_token!(LoginForm, CsrfForm, ResetForm, PasswordForm);

pub async fn login(
    State(state): State<AppState>,
    ctx: PageContext,
    ClientAddress(client): ClientAddress,
    CheckedForm(form): CheckedForm<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let addr = client.to_string();
    let t = ctx.strings(&state);
    let (status, error) = match state
        .engine
        .portal_login(&form.email, &form.password, Some(&addr))
        .await
    {
        Ok(session) => return signed_in(&ctx, &session, &next),
        // One answer for every failure: an unknown address looks like a wrong password.
        Err(EngineError::Unauthenticated) => {
            (StatusCode::UNPROCESSABLE_ENTITY, t.get("login_failed"))
        }
        Err(EngineError::RateLimited) => (StatusCode::TOO_MANY_REQUESTS, t.get("login_limited")),
        Err(e) => return ctx.failed(&state, e).await,
    };
    ctx.render(
        &state,
        "login",
        t.get("login_title"),
        status,
        json!({"next": next, "email": form.email, "error": error}),
    )
    .await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: Option<String>,
}

pub async fn logout(
    State(state): State<AppState>,
    ctx: PageContext,
    CheckedForm(_): CheckedForm<CsrfForm>,
) -> Response {
    if let Some(h) = &ctx.handle
        && let Err(e) = h.logout().await
    {
        return ctx.failed(&state, e).await;
    }
    let mut r = redirect("/portal/login?signed_out=1");
    r.headers_mut()
        .append(SET_COOKIE, ctx.cookie(PORTAL_SESSION_COOKIE, "", Some(0)));
    r
}

pub async fn reset_page(State(state): State<AppState>, ctx: PageContext) -> Response {
    let t = ctx.strings(&state);
    ctx.render(
        &state,
        "reset_request",
        t.get("reset_title"),
        StatusCode::OK,
        json!({"sent": false, "email": ""}),
    )
    .await
}

#[derive(Deserialize)]
pub struct ResetForm {
    csrf: Option<String>,
    #[serde(default)]
    email: String,
}

pub async fn reset_request(
    State(state): State<AppState>,
    ctx: PageContext,
    ClientAddress(client): ClientAddress,
    CheckedForm(form): CheckedForm<ResetForm>,
) -> Response {
    let addr = client.to_string();
    let t = ctx.strings(&state);
    // The same answer whether or not the address belongs to anyone.
    match state
        .engine
        .request_password_reset(&form.email, Some(&addr))
        .await
    {
        Ok(_) => {
            ctx.render(
                &state,
                "reset_request",
                t.get("reset_title"),
                StatusCode::OK,
                json!({"sent": true}),
            )
            .await
        }
        Err(EngineError::RateLimited) => {
            ctx.render(
                &state,
                "reset_request",
                t.get("reset_title"),
                StatusCode::TOO_MANY_REQUESTS,
                json!({"sent": false, "email": form.email, "error": t.get("login_limited")}),
            )
            .await
        }
        Err(e) => ctx.failed(&state, e).await,
    }
}

/// The password page of an emailed link, or where the link leads now.
async fn link_page(
    state: AppState,
    ctx: PageContext,
    client: IpAddr,
    link: PortalLink,
    token: String,
) -> Response {
    let addr = client.to_string();
    match state.engine.portal_link(link, &token, Some(&addr)).await {
        Ok(LinkState::ChoosePassword { email }) => {
            password_form(&ctx, &state, link, &token, &email, None, StatusCode::OK).await
        }
        Ok(elsewhere) => follow(&ctx, &state, elsewhere).await,
        Err(EngineError::RateLimited) => limited(&ctx, &state).await,
        Err(e) => ctx.failed(&state, e).await,
    }
}

/// A link that no longer sets a password: sign-in for the account it set up, else the page
/// saying it does not work.
async fn follow(ctx: &PageContext, state: &AppState, link: LinkState) -> Response {
    match link {
        LinkState::SignIn { email } => redirect(&format!(
            "/portal/login?account_ready=1&email={}",
            super::visitor::percent_encode(&email)
        )),
        _ => link_invalid(ctx, state).await,
    }
}

async fn password_form(
    ctx: &PageContext,
    state: &AppState,
    link: PortalLink,
    token: &str,
    email: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let t = ctx.strings(state);
    let (heading, lead, base) = match link {
        PortalLink::Invitation => (
            t.get("invitation_title"),
            t.get("invitation_lead"),
            "/portal/invitation/",
        ),
        PortalLink::Reset => (t.get("choose_password_title"), "", "/portal/reset/"),
    };
    ctx.render(
        state,
        "set_password",
        heading,
        status,
        json!({"heading": heading, "lead": lead, "email": email, "action": format!("{base}{}", super::visitor::percent_encode(token)), "error": error}),
    )
    .await
}

async fn link_invalid(ctx: &PageContext, state: &AppState) -> Response {
    let t = ctx.strings(state);
    ctx.render(
        state,
        "message",
        t.get("link_invalid_title"),
        StatusCode::GONE,
        json!({"heading": t.get("link_invalid_title"), "lead": t.get("link_invalid_lead"), "action_href": "/portal/reset", "action_label": t.get("link_invalid_action")}),
    )
    .await
}

async fn limited(ctx: &PageContext, state: &AppState) -> Response {
    let t = ctx.strings(state);
    ctx.render(
        state,
        "message",
        t.get("error_title"),
        StatusCode::TOO_MANY_REQUESTS,
        json!({"heading": t.get("error_title"), "lead": t.get("login_limited")}),
    )
    .await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: Option<String>,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// `form` came through [`CheckedForm`]: its CSRF token held.
async fn link_submit(
    state: AppState,
    ctx: PageContext,
    client: IpAddr,
    link: PortalLink,
    token: String,
    form: PasswordForm,
) -> Response {
    let t = ctx.strings(&state);
    let addr = client.to_string();
    // The link may have been used (in another tab, or another email's) since its page opened.
    let email = match state.engine.portal_link(link, &token, Some(&addr)).await {
        Ok(LinkState::ChoosePassword { email }) => email,
        // Already looked up (and a dead link counted): where it leads, without asking again.
        Ok(elsewhere) => return follow(&ctx, &state, elsewhere).await,
        Err(EngineError::RateLimited) => return limited(&ctx, &state).await,
        Err(e) => return ctx.failed(&state, e).await,
    };
    if form.password != form.confirm {
        let e = t.get("password_mismatch");
        return password_form(
            &ctx,
            &state,
            link,
            &token,
            &email,
            Some(e),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let done = match link {
        PortalLink::Invitation => {
            state
                .engine
                .accept_invitation(&token, &form.password, Some(&addr))
                .await
        }
        PortalLink::Reset => {
            state
                .engine
                .reset_password(&token, &form.password, Some(&addr))
                .await
        }
    };
    match done {
        Ok(session) => signed_in(&ctx, &session, "/portal"),
        Err(EngineError::Validation { field, .. }) if field == "password" => {
            let e = t.get("password_rule");
            password_form(
                &ctx,
                &state,
                link,
                &token,
                &email,
                Some(e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(EngineError::Validation { .. }) => link_page(state, ctx, client, link, token).await,
        Err(EngineError::RateLimited) => limited(&ctx, &state).await,
        Err(e) => ctx.failed(&state, e).await,
    }
}

pub async fn reset_link_page(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ctx: PageContext,
    Path(token): Path<String>,
) -> Response {
    link_page(state, ctx, client, PortalLink::Reset, token).await
}

pub async fn reset_link(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ctx: PageContext,
    Path(token): Path<String>,
    CheckedForm(form): CheckedForm<PasswordForm>,
) -> Response {
    link_submit(state, ctx, client, PortalLink::Reset, token, form).await
}

pub async fn invitation_page(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ctx: PageContext,
    Path(token): Path<String>,
) -> Response {
    link_page(state, ctx, client, PortalLink::Invitation, token).await
}

pub async fn invitation(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ctx: PageContext,
    Path(token): Path<String>,
    CheckedForm(form): CheckedForm<PasswordForm>,
) -> Response {
    link_submit(state, ctx, client, PortalLink::Invitation, token, form).await
}
