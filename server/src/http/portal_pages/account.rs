//! `/portal/account`: the page language, and changing one's password (the current one proves it
//! is them; other devices are signed out).

use super::super::AppState;
use super::visitor::{CheckedForm, PageContext, SignedIn, carries_token, redirect};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use portico_engine::EngineError;
use portico_engine::client_news::{Delivery, NewsKind, NewsSetting};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    changed: Option<String>,
    zone: Option<String>,
    notices: Option<String>,
}

async fn render(
    ctx: &PageContext,
    state: &AppState,
    notice: Option<&str>,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let t = ctx.strings(state);
    // The zone the emails are written for: the user's own, else the installation's.
    let current = match &ctx.handle {
        Some(h) => h.time_zone().await.ok().flatten(),
        None => None,
    }
    .unwrap_or_else(|| state.config.time_zone.name().to_owned());
    let zones: Vec<serde_json::Value> = portico_theme::dates::zone_names()
        .into_iter()
        .map(|z| json!({"name": z, "selected": z == current}))
        .collect();
    // How each kind of news reaches them, as a choice of three.
    let settings = match &ctx.handle {
        Some(h) => match h.news_settings().await {
            Ok(s) => s,
            Err(e) => return ctx.failed(state, e).await,
        },
        None => Vec::new(),
    };
    let notices: Vec<serde_json::Value> = settings
        .iter()
        .map(|s| {
            let kind = s.kind.key();
            json!({
                "kind": kind,
                "label": t.get(&format!("news_{kind}")),
                "choices": Delivery::ALL.iter().map(|d| json!({
                    "value": d.key(),
                    "label": t.get(&format!("news_{}", d.key())),
                    "checked": *d == s.delivery,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    ctx.render(
        state,
        "account",
        t.get("account_title"),
        status,
        json!({"section": "account", "notice": notice, "error": error, "zones": zones, "notices": notices}),
    )
    .await
}

pub async fn page(
    State(state): State<AppState>,
    ctx: PageContext,
    query: Result<Query<AccountQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if ctx.handle.is_none() {
        return ctx.to_login();
    }
    let (changed, zone, notices) = query
        .map(|Query(q)| (q.changed.is_some(), q.zone.is_some(), q.notices.is_some()))
        .unwrap_or((false, false, false));
    let t = ctx.strings(&state);
    let notice = if changed {
        Some(t.get("password_changed"))
    } else if notices {
        Some(t.get("news_saved"))
    } else {
        zone.then(|| t.get("time_zone_saved"))
    };
    render(&ctx, &state, notice, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    csrf: Option<String>,
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

carries_token!(PasswordForm);

pub async fn change_password(
    State(state): State<AppState>,
    SignedIn { ctx, handle }: SignedIn,
    CheckedForm(form): CheckedForm<PasswordForm>,
) -> Response {
    let h = &handle;
    let t = ctx.strings(&state);
    if form.password != form.confirm {
        let e = t.get("password_mismatch");
        return render(
            &ctx,
            &state,
            None,
            Some(e),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match h.change_password(&form.current, &form.password).await {
        Ok(_) => redirect("/portal/account?changed=1"),
        Err(EngineError::Validation { field, .. }) => {
            let e = if field == "currentPassword" {
                t.get("password_wrong")
            } else {
                t.get("password_rule")
            };
            render(
                &ctx,
                &state,
                None,
                Some(e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(EngineError::RateLimited) => {
            render(
                &ctx,
                &state,
                None,
                Some(t.get("login_limited")),
                StatusCode::TOO_MANY_REQUESTS,
            )
            .await
        }
        Err(e) => ctx.failed(&state, e).await,
    }
}

#[derive(Deserialize)]
pub struct ZoneForm {
    csrf: Option<String>,
    #[serde(default)]
    zone: String,
}

carries_token!(ZoneForm);

/// The time zone of the dates in this user's emails.
pub async fn time_zone(
    State(state): State<AppState>,
    SignedIn { ctx, handle }: SignedIn,
    CheckedForm(form): CheckedForm<ZoneForm>,
) -> Response {
    match handle.set_time_zone(&form.zone).await {
        Ok(_) => redirect("/portal/account?zone=1"),
        Err(EngineError::Validation { .. }) => {
            let t = ctx.strings(&state);
            render(
                &ctx,
                &state,
                None,
                Some(t.get("time_zone_invalid")),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => ctx.failed(&state, e).await,
    }
}

#[derive(Deserialize)]
pub struct NoticesForm {
    csrf: Option<String>,
    reply: Option<String>,
    document_shared: Option<String>,
    status_changed: Option<String>,
    case_access: Option<String>,
}

carries_token!(NoticesForm);

/// How each kind of news reaches this user by email.
pub async fn notices(
    State(state): State<AppState>,
    SignedIn { ctx, handle }: SignedIn,
    CheckedForm(form): CheckedForm<NoticesForm>,
) -> Response {
    let chosen = [
        (NewsKind::Reply, &form.reply),
        (NewsKind::DocumentShared, &form.document_shared),
        (NewsKind::StatusChanged, &form.status_changed),
        (NewsKind::CaseAccess, &form.case_access),
    ];
    let wanted: Vec<NewsSetting> = chosen
        .iter()
        .filter_map(|(kind, raw)| {
            let delivery = Delivery::from_key(raw.as_deref()?)?;
            Some(NewsSetting {
                kind: *kind,
                delivery,
            })
        })
        .collect();
    match handle.set_news_settings(&wanted).await {
        Ok(_) => redirect("/portal/account?notices=1#notices-heading"),
        Err(e) => ctx.failed(&state, e).await,
    }
}
