//! One client request, `/portal/requests/<id>`: what the firm asks for and the client's part
//! of it. A questionnaire is a form of the questions' own inputs, kept as a draft on every
//! save and sent when the client says so; a documents request takes uploads
//! (`POST /portal/requests/<id>/documents`) and is sent when the client has added them all; a
//! signature request's forms are handled in [`super::request_signing`].
//!
//! A request the visitor may not see is the same 404 as one that does not exist.

use super::super::AppState;
use super::case_page::{self, Destination};
use super::form_fields;
use super::format;
use super::posted::{self, Posted};
use super::visitor::{CarriesToken, CheckedForm, PageContext, SignedIn, redirect};
use super::workspace::{field_label, request_row};
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_engine::error::Problem;
use portico_engine::metadata::FieldDefinition;
use portico_engine::records::case_number;
use portico_engine::requests::{ClientRequest, RequestKind};
use portico_engine::{EngineError, PortalHandle};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

#[derive(Deserialize, Default)]
pub struct RequestQuery {
    saved: Option<u8>,
    sent: Option<u8>,
    pub(super) added: Option<u32>,
    signed: Option<u8>,
    declined: Option<u8>,
}

/// A form of the questions' own inputs: any name may come, so it is read as pairs.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct Pairs(Vec<(String, String)>);

impl CarriesToken for Pairs {
    fn csrf(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
    }
}

/// What the page shows beside its forms.
#[derive(Default)]
pub(super) struct View {
    pub(super) notice: Option<String>,
    /// What was typed, when the form comes back with problems (else the saved draft).
    pub(super) typed: Option<HashMap<String, Vec<String>>>,
    pub(super) errors: HashMap<String, String>,
    pub(super) added: Option<u32>,
    pub(super) upload_problem: Option<String>,
    pub(super) refused: Vec<(String, String)>,
    /// What was typed in the signing form (never the password).
    pub(super) full_name: Option<String>,
}

pub(super) fn parse_id(raw: &str) -> Option<i64> {
    raw.parse::<i64>().ok().filter(|i| *i > 0)
}

pub async fn page(
    State(state): State<AppState>,
    SignedIn { ctx, handle }: SignedIn,
    Path(id): Path<String>,
    query: Result<Query<RequestQuery>, QueryRejection>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return ctx.not_found(&state).await;
    };
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let t = ctx.strings(&state);
    let notice = if query.signed.is_some() {
        Some(t.get("sign_done").to_owned())
    } else if query.declined.is_some() {
        Some(t.get("decline_done").to_owned())
    } else if query.sent.is_some() {
        Some(t.get("request_sent").to_owned())
    } else if query.saved.is_some() {
        Some(t.get("request_saved").to_owned())
    } else {
        None
    };
    let view = View {
        notice,
        added: query.added,
        ..View::default()
    };
    render(&ctx, &state, &handle, id, view, StatusCode::OK).await
}

/// The questionnaire's Save and Send, and a documents request's Send.
pub async fn post(
    State(state): State<AppState>,
    SignedIn { ctx, handle }: SignedIn,
    Path(id): Path<String>,
    CheckedForm(Pairs(pairs)): CheckedForm<Pairs>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return ctx.not_found(&state).await;
    };
    let h = &handle;
    let request = match h.client_request(id).await {
        Ok(r) => r,
        Err(e) => return ctx.failed(&state, e).await,
    };
    let send = pairs.iter().any(|(k, v)| k == "action" && v == "submit");
    let mut typed: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in pairs {
        typed.entry(k).or_default().push(v);
    }
    let mut errors = HashMap::new();
    if request.kind == RequestKind::Questions {
        let t = ctx.strings(&state);
        let mut answers = Map::new();
        for q in &request.questions {
            let def = q.as_field();
            let raw = typed.get(&def.key).cloned().unwrap_or_default();
            match form_fields::value_of(&def, &raw, t) {
                Ok(v) => {
                    answers.insert(def.key.clone(), v.unwrap_or(Value::Null));
                }
                Err(message) => {
                    errors.insert(def.key.clone(), message);
                }
            }
        }
        // What reads well is kept even when another answer is wrong: nothing typed is lost.
        if let Err(e) = h.answer_client_request(id, Value::Object(answers)).await {
            match explain(&ctx, &state, e) {
                Ok((key, message)) => {
                    errors.insert(key, message);
                }
                Err(e) => return ctx.failed(&state, e).await,
            }
        }
    }
    if errors.is_empty() && send {
        match h.submit_client_request(id).await {
            Ok(_) => return redirect(&format!("/portal/requests/{id}?sent=1")),
            Err(EngineError::Validation { field, problem, .. })
                if field == "documents" && problem == Problem::Missing =>
            {
                let view = View {
                    upload_problem: Some(ctx.strings(&state).get("upload_none").to_owned()),
                    ..View::default()
                };
                return render(&ctx, &state, h, id, view, StatusCode::UNPROCESSABLE_ENTITY).await;
            }
            Err(e) => match explain(&ctx, &state, e) {
                Ok((key, message)) => {
                    errors.insert(key, message);
                }
                Err(e) => return ctx.failed(&state, e).await,
            },
        }
    }
    if errors.is_empty() {
        return redirect(&format!("/portal/requests/{id}?saved=1"));
    }
    let view = View {
        typed: Some(typed),
        errors,
        ..View::default()
    };
    render(&ctx, &state, h, id, view, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// An engine refusal as the question it concerns and the words beside it; other errors
/// (a request no longer open is shown as it now stands) are the caller's.
fn explain(
    ctx: &PageContext,
    state: &AppState,
    e: EngineError,
) -> Result<(String, String), EngineError> {
    let t = ctx.strings(state);
    match e {
        EngineError::Validation { field, problem, .. } => {
            let text = if problem == Problem::Missing {
                t.get("field_required")
            } else {
                t.get("field_invalid")
            };
            Ok((field, text.to_owned()))
        }
        other => Err(other),
    }
}

pub async fn upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let page = format!("/portal/requests/{id}");
    let may_send = |h: PortalHandle, id| async move { h.check_client_request_upload(id).await };
    let (ctx, handle, id, parts) = match posted::read(&state, &headers, body, page, &id, may_send)
        .await
    {
        Posted::Read {
            ctx,
            handle,
            id,
            parts,
        } => (ctx, handle, id, parts),
        Posted::Answer(r) => return r,
        // A request no longer taking files shows as it stands now.
        Posted::Refused(_, id, EngineError::Conflict { .. } | EngineError::Validation { .. }) => {
            return redirect(&format!("/portal/requests/{id}"));
        }
        Posted::Refused(ctx, _, e) => return ctx.failed(&state, e).await,
    };
    let h = &handle;
    let t = ctx.strings(&state);
    let parts = match parts {
        Ok(p) => p,
        Err(failed) => {
            return match case_page::explain(&ctx, t, &failed.error) {
                (Some(problem), status) => {
                    let view = View {
                        upload_problem: Some(problem),
                        ..View::default()
                    };
                    render(&ctx, &state, h, id, view, status).await
                }
                (None, _) => redirect(&format!("/portal/requests/{id}")),
            };
        }
    };
    if parts.files.is_empty() {
        let view = View {
            upload_problem: Some(t.get("upload_none").to_owned()),
            ..View::default()
        };
        return render(&ctx, &state, h, id, view, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let (added, refused) =
        match case_page::attach(h, Destination::Request(id), parts.files, t).await {
            Ok(outcome) => outcome,
            Err(e) => return ctx.failed(&state, e).await,
        };
    if refused.is_empty() {
        return redirect(&format!(
            "/portal/requests/{id}?added={added}#request-documents"
        ));
    }
    let view = View {
        added: Some(added),
        refused,
        ..View::default()
    };
    render(&ctx, &state, h, id, view, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// The answers as read back, for a questionnaire that is no longer the client's to change.
fn answers(
    request: &ClientRequest,
    defs: &[FieldDefinition],
    ctx: &PageContext,
    t: &portico_theme::i18n::Strings,
) -> Vec<Value> {
    defs.iter()
        .map(|def| {
            let value = request.answers.get(&def.key).unwrap_or(&Value::Null);
            let (text, _) = format::field(def, value, ctx.lang, t);
            json!({"label": field_label(t, def, ctx.lang), "value": text})
        })
        .collect()
}

pub(super) async fn render(
    ctx: &PageContext,
    state: &AppState,
    h: &PortalHandle,
    id: i64,
    view: View,
    status: StatusCode,
) -> Response {
    let request = match h.client_request(id).await {
        Ok(r) => r,
        Err(e) => return ctx.failed(state, e).await,
    };
    let subject = match h.case(request.case_id).await {
        Ok(c) => c.get("subject").as_str().unwrap_or_default().to_owned(),
        Err(e) => return ctx.failed(state, e).await,
    };
    let t = ctx.strings(state);
    let defs: Vec<FieldDefinition> = request.questions.iter().map(|q| q.as_field()).collect();
    let typed = view.typed.unwrap_or_else(|| {
        request
            .answers
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), form_fields::raw_of(v)))
                    .collect()
            })
            .unwrap_or_default()
    });
    let fields: Vec<Value> = defs
        .iter()
        .map(|def| {
            let raw = typed.get(&def.key).cloned().unwrap_or_default();
            form_fields::item(def, &raw, view.errors.get(&def.key), t, ctx.lang)
        })
        .collect();
    let errors: Vec<Value> = defs
        .iter()
        .filter_map(|d| {
            view.errors
                .get(&d.key)
                .map(|m| json!({"key": d.key, "label": field_label(t, d, ctx.lang), "message": m}))
        })
        .collect();
    let row = request_row(&request, t, ctx.lang);
    let editable = request.state.awaits_client();
    let me = h.contact_id();
    let next = request.next_signer().map(|c| c.id);
    let signers: Vec<Value> = request
        .contacts
        .iter()
        .map(|c| {
            let record = request.signatures.iter().find(|s| s.contact_id == c.id);
            let state = match record {
                Some(s) if s.signed_at.is_some() => t.get("signer_signed"),
                Some(_) => t.get("signer_declined"),
                None if Some(c.id) == next => t.get("signer_turn"),
                None => t.get("signer_waiting"),
            };
            json!({"name": c.name, "state": state, "me": c.id == me})
        })
        .collect();
    let document_name = request
        .documents
        .first()
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let my_turn = editable && next == Some(me);
    let waiting_for = (editable && !my_turn)
        .then(|| {
            request
                .next_signer()
                .map(|c| t.fill("sign_wait", &[("name", &c.name)]))
        })
        .flatten();
    let sign_errors: Vec<Value> = ["fullName", "password", "reason", "document"]
        .iter()
        .filter_map(|k| {
            view.errors.get(*k).map(|m| {
                let label = match *k {
                    "fullName" => t.get("sign_full_name"),
                    "password" => t.get("sign_password"),
                    "reason" => t.get("decline_reason"),
                    _ => t.get("documents"),
                };
                json!({"key": k, "label": label, "message": m})
            })
        })
        .collect();
    ctx.render(
        state,
        "request",
        &request.title,
        status,
        json!({
            "section": "cases",
            "r": row,
            "kind": request.kind.key(),
            "editable": editable,
            "no_more": t.fill("request_no_more", &[("state", row["state_label"].as_str().unwrap_or_default())]),
            "case_label": t.fill("request_of_case", &[("number", &case_number(request.case_id)), ("subject", &subject)]),
            "notice": view.notice,
            "fields": fields,
            "errors": if sign_errors.is_empty() { errors } else { sign_errors },
            "signers": signers,
            "my_turn": my_turn,
            "waiting_for": waiting_for,
            "document_name": document_name,
            "full_name": view.full_name,
            "error_full_name": view.errors.get("fullName"),
            "error_password": view.errors.get("password"),
            "error_reason": view.errors.get("reason"),
            "statement": t.fill("sign_statement", &[("title", &request.title)]),
            "answers": answers(&request, &defs, ctx, t),
            "documents": request.documents.iter().map(|d| json!({"id": d.id, "name": d.name})).collect::<Vec<_>>(),
            "added": view.added.filter(|n| *n > 0).map(|n| t.count("upload_added", i64::from(n))),
            "upload_problem": view.upload_problem,
            "refused": view.refused.iter().map(|(name, why)| json!({"name": name, "why": why})).collect::<Vec<_>>(),
            "upload_limits": case_page::limits_text(ctx, state),
        }),
    )
    .await
}
