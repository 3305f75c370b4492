//! `/portal/cases/new`: the portal-editable case fields as a form, in the admin's blocks and
//! order, with the input each type calls for; errors next to their field and summed up at the
//! top, and everything typed kept.

use super::super::AppState;
use super::csrf;
use super::form_fields;
use super::form_parts;
use super::visitor::{PageContext, SignedIn, redirect};
use axum::Form;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use portico_engine::EngineError;
use portico_engine::documents::executable;
use portico_engine::error::Problem;
use portico_engine::metadata::{Audience, EntityKind, FieldDefinition};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The fields a client fills in, in display order.
fn editable(h: &portico_engine::PortalHandle) -> Vec<FieldDefinition> {
    h.catalog()
        .entity(EntityKind::Case)
        .fields
        .iter()
        .filter(|f| f.editable_by(Audience::Portal) && form_fields::kind(f.field_type).is_some())
        .cloned()
        .collect()
}

async fn form(
    ctx: &PageContext,
    state: &AppState,
    defs: &[FieldDefinition],
    typed: &HashMap<String, Vec<String>>,
    errors: &HashMap<String, String>,
    attach_error: Option<String>,
    status: StatusCode,
) -> Response {
    let t = ctx.strings(state);
    let mut summary: Vec<Value> = defs
        .iter()
        .filter_map(|d| {
            errors
                .get(&d.key)
                .map(|m| json!({"key": d.key, "label": super::workspace::field_label(t, d, ctx.lang), "message": m}))
        })
        .collect();
    if let Some(message) = &attach_error {
        summary.push(json!({"key": FILES, "label": t.get("attachments"), "message": message}));
    }
    let limits = super::case_page::limits_text(ctx, state);
    ctx.render(
        state,
        "new_case",
        t.get("new_case_title"),
        status,
        json!({
            "section": "new",
            "blocks": form_fields::blocks(defs, typed, errors, t, ctx.lang),
            "errors": summary,
            "files": FILES,
            "attach_error": attach_error,
            "upload_limits": limits,
        }),
    )
    .await
}

pub async fn page(State(state): State<AppState>, SignedIn { ctx, handle }: SignedIn) -> Response {
    let h = &handle;
    let defs = editable(h);
    form(
        &ctx,
        &state,
        &defs,
        &HashMap::new(),
        &HashMap::new(),
        None,
        StatusCode::OK,
    )
    .await
}

/// The file input of the form; field keys are camelCase, so no field can take this name.
const FILES: &str = "_files";

pub async fn submit(State(state): State<AppState>, ctx: PageContext, request: Request) -> Response {
    let headers = request.headers().clone();
    let Some(h) = &ctx.handle else {
        form_parts::discard(request.into_body()).await;
        return ctx.to_login();
    };
    let t = ctx.strings(&state);
    let defs = editable(h);
    let trusted = |fields: &HashMap<String, Vec<String>>| {
        let token = fields.get("csrf").and_then(|v| v.first());
        csrf::allowed(&state, &headers, token.map(String::as_str))
    };
    let mut attach_error = None;
    let (typed, files) = if form_parts::is_multipart(&headers) {
        let limits = form_parts::Limits {
            file_bytes: state.config.max_upload_bytes,
            files: state.config.max_upload_files,
        };
        match form_parts::read(&headers, request.into_body(), limits, trusted).await {
            Ok(parts) => (parts.fields, parts.files),
            Err(failed) => {
                let (message, _) = super::case_page::explain(&ctx, t, &failed.error);
                let Some(message) = message else {
                    return redirect("/portal/cases/new");
                };
                attach_error = Some(message);
                (failed.fields, Vec::new())
            }
        }
    } else {
        match Form::<Vec<(String, String)>>::from_request(request, &state).await {
            Ok(Form(pairs)) => {
                let mut typed: HashMap<String, Vec<String>> = HashMap::new();
                for (k, v) in pairs {
                    typed.entry(k).or_default().push(v);
                }
                (typed, Vec::new())
            }
            Err(_) => (HashMap::new(), Vec::new()),
        }
    };
    // Every form, even one shown again with a problem, must be one of our own pages' forms.
    if !trusted(&typed) {
        return redirect("/portal/cases/new");
    }
    let files: Vec<_> = files.into_iter().filter(|f| f.field == FILES).collect();
    if let Some(f) = files.iter().find(|f| executable(&f.head).is_some()) {
        attach_error = Some(format!("{}: {}", f.filename, t.get("upload_program")));
    }
    let mut values = Map::new();
    let mut errors = HashMap::new();
    for def in &defs {
        let raw = typed.get(&def.key).cloned().unwrap_or_default();
        match form_fields::value_of(def, &raw, t) {
            Ok(Some(v)) => {
                values.insert(def.key.clone(), v);
            }
            Ok(None) if def.required => {
                errors.insert(def.key.clone(), t.get("field_required").to_owned());
            }
            Ok(None) => {}
            Err(message) => {
                errors.insert(def.key.clone(), message);
            }
        }
    }
    if errors.is_empty() && attach_error.is_none() {
        match h.create_case(values).await {
            Ok(case) => {
                if files.is_empty() {
                    return redirect(&format!("/portal/cases/{}?opened=1", case.id));
                }
                return super::case_page::attach_and_show(
                    &ctx, &state, h, case.id, None, files, true,
                )
                .await;
            }
            Err(EngineError::Validation { field, problem, .. }) => {
                let text = if problem == Problem::Missing {
                    t.get("field_required")
                } else {
                    t.get("field_invalid")
                };
                errors.insert(field, text.to_owned());
            }
            Err(EngineError::RateLimited) => {
                errors.insert(
                    defs.first().map(|d| d.key.clone()).unwrap_or_default(),
                    t.get("login_limited").to_owned(),
                );
            }
            Err(e) => return ctx.failed(&state, e).await,
        }
    }
    // Browsers cannot put chosen files back into a form: say so when some were chosen.
    if attach_error.is_none() && !files.is_empty() {
        let names: Vec<&str> = files.iter().map(|f| f.filename.as_str()).collect();
        attach_error = Some(t.fill("attachments_again", &[("names", &names.join(", "))]));
    }
    form(
        &ctx,
        &state,
        &defs,
        &typed,
        &errors,
        attach_error,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
