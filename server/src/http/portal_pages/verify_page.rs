//! `/portal/verify`: a signed-in client checks a PDF they hold (one they signed, or were sent)
//! and reads whether this Portico signed it and by whom, or that it was not signed here or was
//! changed after.

use super::super::AppState;
use super::form_parts::{self, Limits};
use super::format;
use super::visitor::{PageContext, SignedIn, redirect};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_engine::signatures::{MAX_VERIFY_BYTES, SignatureRecord};
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;

pub async fn page(State(state): State<AppState>, SignedIn { ctx, .. }: SignedIn) -> Response {
    show(&ctx, &state, None, None, StatusCode::OK).await
}

async fn show(
    ctx: &PageContext,
    state: &AppState,
    result: Option<Vec<SignatureRecord>>,
    problem: Option<String>,
    status: StatusCode,
) -> Response {
    let t = ctx.strings(state);
    let found = result.as_ref().map(|list| {
        list.iter()
            .map(|r| -> Value {
                json!({
                    "name": r.contact_name,
                    "declared": r.declared_name,
                    "email": r.contact_email,
                    "when": r.signed_at.map(|m| format::date_of_micros(ctx.lang, m)),
                    "document": r.document_name,
                })
            })
            .collect::<Vec<_>>()
    });
    ctx.render(
        state,
        "verify",
        t.get("verify_title"),
        status,
        json!({"section": "", "checked": found.is_some(), "found": found.unwrap_or_default(), "problem": problem}),
    )
    .await
}

pub async fn check(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let ctx = match PageContext::of(&state, &headers, "/portal/verify".into()).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(h) = ctx.handle.clone() else {
        form_parts::discard(body).await;
        return ctx.to_login();
    };
    let t = ctx.strings(&state);
    if !form_parts::is_multipart(&headers) {
        form_parts::discard(body).await;
        return redirect("/portal/verify");
    }
    let limits = Limits {
        file_bytes: MAX_VERIFY_BYTES,
        files: 1,
    };
    let parts = form_parts::read(&headers, body, limits, |fields| {
        let token = fields.get("csrf").and_then(|v| v.first());
        super::csrf::allowed(&state, &headers, token.map(String::as_str))
    })
    .await;
    let mut parts = match parts {
        Ok(p) => p,
        Err(failed) => {
            return match super::case_page::explain(&ctx, t, &failed.error) {
                (Some(problem), status) => show(&ctx, &state, None, Some(problem), status).await,
                (None, _) => redirect("/portal/verify"),
            };
        }
    };
    let Some(file) = parts.files.first_mut() else {
        let problem = t.get("verify_choose").to_owned();
        return show(
            &ctx,
            &state,
            None,
            Some(problem),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let mut bytes = Vec::new();
    if let Err(e) = (&mut file.file)
        .take(MAX_VERIFY_BYTES + 1)
        .read_to_end(&mut bytes)
        .await
    {
        return ctx.failed(&state, e.into()).await;
    }
    match h.verify_signed_file(&bytes).await {
        Ok(found) => show(&ctx, &state, Some(found), None, StatusCode::OK).await,
        Err(portico_engine::EngineError::Validation { .. }) => {
            let problem = t.get("verify_too_large").to_owned();
            show(
                &ctx,
                &state,
                None,
                Some(problem),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => ctx.failed(&state, e).await,
    }
}
