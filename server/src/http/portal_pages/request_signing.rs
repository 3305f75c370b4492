//! A signature request's part of `/portal/requests/<id>`: the PDF to read first
//! (`.../document`, whatever the case's download setting, since the firm asks for it to be
//! signed), the signing form (`.../sign`: the typed name and the password again) and the
//! refusal (`.../decline`). The page itself is [`super::request_page`]'s.

use super::super::AppState;
use super::super::client_address::ClientAddress;
use super::request_page::{View, parse_id, render};
use super::visitor::{CheckedForm, SignedIn, redirect};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_engine::EngineError;
use portico_engine::requests::SigningContext;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize)]
pub struct SignForm {
    csrf: Option<String>,
    #[serde(default)]
    full_name: String,
    #[serde(default)]
    password: String,
}

#[derive(Deserialize)]
pub struct DeclineForm {
    csrf: Option<String>,
    #[serde(default)]
    reason: String,
}

super::visitor::carries_token!(SignForm, DeclineForm);

/// `GET /portal/requests/<id>/document`: the PDF a signer is asked to sign, to read first.
pub async fn document(
    State(state): State<AppState>,
    SignedIn { ctx, handle }: SignedIn,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return ctx.not_found(&state).await;
    };
    match handle.document_to_sign(id).await {
        Ok(d) => super::super::files::stream(d, headers.get(axum::http::header::RANGE)).await,
        Err(e) => ctx.failed(&state, e).await,
    }
}

/// `POST /portal/requests/<id>/sign`: the typed name and the password again, then the signature.
pub async fn sign(
    State(state): State<AppState>,
    SignedIn { ctx, handle }: SignedIn,
    Path(id): Path<String>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    CheckedForm(form): CheckedForm<SignForm>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return ctx.not_found(&state).await;
    };
    let context = SigningContext {
        ip: Some(client.to_string()),
        user_agent: headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let t = ctx.strings(&state);
    let result = handle
        .sign_client_request(id, &form.full_name, &form.password, context)
        .await;
    let (key, message) = match result {
        Ok(_) => return redirect(&format!("/portal/requests/{id}?signed=1")),
        Err(EngineError::Validation { field, .. }) if field == "fullName" => {
            ("fullName", t.get("sign_name_missing"))
        }
        Err(EngineError::Validation { field, .. }) if field == "password" => {
            ("password", t.get("sign_password_wrong"))
        }
        Err(EngineError::Validation { field, .. }) if field == "documentId" => {
            ("document", t.get("sign_unsignable"))
        }
        Err(EngineError::RateLimited) => ("password", t.get("login_limited")),
        Err(EngineError::Conflict { .. }) => return redirect(&format!("/portal/requests/{id}")),
        Err(e) => return ctx.failed(&state, e).await,
    };
    let mut errors = HashMap::new();
    errors.insert(key.to_owned(), message.to_owned());
    let view = View {
        errors,
        full_name: Some(form.full_name),
        ..View::default()
    };
    render(
        &ctx,
        &state,
        &handle,
        id,
        view,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// `POST /portal/requests/<id>/decline`: no signature, and why.
pub async fn decline(
    State(state): State<AppState>,
    SignedIn { ctx, handle }: SignedIn,
    Path(id): Path<String>,
    CheckedForm(form): CheckedForm<DeclineForm>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return ctx.not_found(&state).await;
    };
    match handle.decline_signature(id, &form.reason).await {
        Ok(_) => redirect(&format!("/portal/requests/{id}?declined=1")),
        Err(EngineError::Validation { .. }) => {
            let mut errors = HashMap::new();
            errors.insert(
                "reason".to_owned(),
                ctx.strings(&state).get("decline_reason_missing").to_owned(),
            );
            let view = View {
                errors,
                ..View::default()
            };
            render(
                &ctx,
                &state,
                &handle,
                id,
                view,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(EngineError::Conflict { .. }) => redirect(&format!("/portal/requests/{id}")),
        Err(e) => ctx.failed(&state, e).await,
    }
}
