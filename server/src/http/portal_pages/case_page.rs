//! One case, `/portal/cases/<id>`: its number, status and portal fields by block, its documents,
//! and the form that uploads more (`POST /portal/cases/<id>/documents`).
//!
//! An upload's problems (a file over the limit, too many files, a program) are shown on the
//! case page beside the form, with what was added and what was not; never a bare 413.

use super::super::AppState;
use super::form_parts::{self, FormError, SpooledFile};
use super::format;
use super::posted::{self, Posted};
use super::visitor::{CheckedForm, PageContext, SignedIn, carries_token, redirect};
use super::workspace::{builtin_label, field_label, option_label_of};
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use portico_engine::documents::{
    CaseView, DocumentOrder, DocumentQuery, Upload, UploadTarget, executable,
};
use portico_engine::metadata::{Audience, EntityKind, ValueKind};
use portico_engine::portal::CasePage;
use portico_engine::records::case_number;
use portico_engine::{EngineError, PortalHandle};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    sort: Option<String>,
    dq: Option<String>,
    /// How many documents the last upload added (the redirect after it says so).
    added: Option<u32>,
    /// The client has just opened this case (the redirect after the New-case form).
    opened: Option<u8>,
    /// A message was just sent (the redirect after the conversation's form).
    sent: Option<u8>,
    /// Show the messages before this one (the conversation's "earlier messages" link).
    before: Option<i64>,
}

/// The messages a case page shows at once; a link leads to the earlier ones.
const MESSAGES_SHOWN: u64 = 50;

/// What the page says about an upload beside its form.
#[derive(Default)]
struct Notice {
    opened: bool,
    added: Option<u32>,
    /// A problem with the whole form.
    problem: Option<String>,
    /// Files that were not added, with the reason.
    refused: Vec<(String, String)>,
    /// A message that could not be sent: why, and what was typed (shown again).
    message_problem: Option<(String, String)>,
    /// Files sent with a message that were not added.
    message_refused: Vec<(String, String)>,
    /// The message just sent.
    message_sent: bool,
}

pub async fn page(
    State(state): State<AppState>,
    SignedIn { ctx, handle }: SignedIn,
    Path(id): Path<String>,
    query: Result<Query<CaseQuery>, QueryRejection>,
) -> Response {
    let h = &handle;
    let Some(id) = id.parse::<i64>().ok().filter(|i| *i > 0) else {
        return ctx.not_found(&state).await;
    };
    // A malformed address (sort=1&added=x) shows the plain page rather than an error.
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let notice = Notice {
        opened: query.opened.is_some(),
        added: query.added,
        message_sent: query.sent.is_some(),
        ..Notice::default()
    };
    render(&ctx, &state, h, id, &query, notice, StatusCode::OK).await
}

/// `POST /portal/cases/<id>/messages`: a message to the firm, with files if chosen.
pub async fn post_message(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let page = format!("/portal/cases/{id}");
    let may_send =
        |h: PortalHandle, id| async move { h.check_upload(UploadTarget::Case(id)).await };
    let (ctx, handle, id, parts) =
        match posted::read(&state, &headers, body, page, &id, may_send).await {
            Posted::Read {
                ctx,
                handle,
                id,
                parts,
            } => (ctx, handle, id, parts),
            Posted::Answer(r) => return r,
            Posted::Refused(ctx, _, e) => return ctx.failed(&state, e).await,
        };
    let h = &handle;
    let t = ctx.strings(&state);
    let (typed, failed) = match parts {
        Ok(parts) => return send_message(&ctx, &state, h, id, parts).await,
        Err(failed) => (
            failed
                .fields
                .get("body")
                .and_then(|v| v.first())
                .cloned()
                .unwrap_or_default(),
            failed.error,
        ),
    };
    match explain(&ctx, t, &failed) {
        (Some(problem), status) => {
            let notice = Notice {
                message_problem: Some((problem, typed)),
                ..Notice::default()
            };
            render(&ctx, &state, h, id, &CaseQuery::default(), notice, status).await
        }
        (None, _) => redirect(&format!("/portal/cases/{id}")),
    }
}

#[derive(Deserialize)]
pub struct ChangeMessageForm {
    csrf: Option<String>,
    #[serde(default)]
    action: String,
    #[serde(default)]
    body: String,
}

carries_token!(ChangeMessageForm);

/// `POST /portal/cases/<id>/messages/<message>`: the client changes (`action=save`) or deletes
/// (`action=delete`) a message of theirs within the edit window.
pub async fn change_message(
    State(state): State<AppState>,
    SignedIn { ctx, handle }: SignedIn,
    Path((id, message)): Path<(String, String)>,
    CheckedForm(form): CheckedForm<ChangeMessageForm>,
) -> Response {
    let h = &handle;
    let (Some(id), Some(message)) = (
        id.parse::<i64>().ok().filter(|i| *i > 0),
        message.parse::<i64>().ok().filter(|i| *i > 0),
    ) else {
        return ctx.not_found(&state).await;
    };
    let done = match form.action.as_str() {
        "delete" => h.delete_case_message(message).await,
        _ => h.edit_case_message(message, &form.body).await,
    };
    let t = ctx.strings(&state);
    let problem = match done {
        Ok(m) if m.case_id == id => {
            return redirect(&format!("/portal/cases/{id}#message-{message}"));
        }
        Ok(_) => return ctx.not_found(&state).await,
        Err(EngineError::Conflict { .. }) => t.get("message_too_late").to_owned(),
        Err(EngineError::Validation { .. }) => t.get("message_empty").to_owned(),
        Err(e) => return ctx.failed(&state, e).await,
    };
    let notice = Notice {
        message_problem: Some((problem, String::new())),
        ..Notice::default()
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    render(&ctx, &state, h, id, &CaseQuery::default(), notice, status).await
}

/// Sends the message with its files (programs are left out and named); then the page.
async fn send_message(
    ctx: &PageContext,
    state: &AppState,
    h: &PortalHandle,
    id: i64,
    parts: form_parts::FormParts,
) -> Response {
    let t = ctx.strings(state);
    let typed = parts.first("body").unwrap_or_default().to_owned();
    let mut refused = Vec::new();
    let mut files = Vec::new();
    for file in parts.files {
        if executable(&file.head).is_some() {
            refused.push((file.filename, t.get("upload_program").to_owned()));
        } else {
            files.push(file);
        }
    }
    let uploads: Vec<Upload<'_>> = files
        .iter_mut()
        .map(|f| Upload {
            filename: f.filename.clone(),
            content_type: f.content_type.clone(),
            content: &mut f.file,
        })
        .collect();
    let problem = match h.post_case_message(id, &typed, uploads).await {
        Ok(_) if refused.is_empty() => {
            return redirect(&format!("/portal/cases/{id}?sent=1#conversation"));
        }
        Ok(_) => {
            let notice = Notice {
                message_sent: true,
                message_refused: refused,
                ..Notice::default()
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render(ctx, state, h, id, &CaseQuery::default(), notice, status).await;
        }
        Err(EngineError::Validation { field, .. }) if field == "body" => {
            if typed.trim().is_empty() {
                t.get("message_empty").to_owned()
            } else {
                t.get("message_too_long").to_owned()
            }
        }
        Err(EngineError::Validation { .. }) => t.get("upload_refused").to_owned(),
        Err(EngineError::RateLimited) => t.get("message_limited").to_owned(),
        Err(e) => return ctx.failed(state, e).await,
    };
    let notice = Notice {
        message_problem: Some((problem, typed)),
        message_refused: refused,
        ..Notice::default()
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    render(ctx, state, h, id, &CaseQuery::default(), notice, status).await
}

pub async fn upload(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let page = format!("/portal/cases/{id}");
    let may_send =
        |h: PortalHandle, id| async move { h.check_upload(UploadTarget::Case(id)).await };
    let (ctx, h, id, parts) = match posted::read(&state, &headers, body, page, &id, may_send).await
    {
        Posted::Read {
            ctx,
            handle,
            id,
            parts,
        } => (ctx, handle, id, parts),
        Posted::Answer(r) => return r,
        Posted::Refused(ctx, _, e) => return ctx.failed(&state, e).await,
    };
    let failed = match parts {
        Ok(parts) => return store(&ctx, &state, &h, id, parts).await,
        Err(failed) => failed.error,
    };
    match explain(&ctx, ctx.strings(&state), &failed) {
        (Some(problem), status) => with_problem(&ctx, &state, &h, id, problem, status).await,
        // A forged form: nothing said, as with every other refused CSRF check.
        (None, _) => redirect(&format!("/portal/cases/{id}")),
    }
}

/// What to tell the visitor about a form that could not be read, and the answer's status; no
/// words for a form the CSRF check refused.
pub(super) fn explain(
    ctx: &PageContext,
    t: &portico_theme::i18n::Strings,
    error: &FormError,
) -> (Option<String>, StatusCode) {
    match error {
        FormError::Refused => (None, StatusCode::FORBIDDEN),
        FormError::FileTooLarge { filename, limit } => (
            Some(t.fill(
                "upload_too_large",
                &[
                    ("name", filename),
                    ("limit", &format::size(ctx.lang, limit_i64(*limit))),
                ],
            )),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        FormError::TooManyFiles { limit } => (
            Some(t.count("upload_too_many", i64::try_from(*limit).unwrap_or(i64::MAX))),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        FormError::TooMuchText | FormError::Malformed => (
            Some(t.get("upload_malformed").to_owned()),
            StatusCode::BAD_REQUEST,
        ),
        FormError::Disk => (
            Some(t.get("error_lead").to_owned()),
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    }
}

/// The limits stated on every upload form.
pub(super) fn limits_text(ctx: &PageContext, state: &AppState) -> String {
    ctx.strings(state).fill(
        "upload_limits",
        &[
            ("files", &state.config.max_upload_files.to_string()),
            (
                "size",
                &format::size(ctx.lang, limit_i64(state.config.max_upload_bytes)),
            ),
        ],
    )
}

/// Adds the files to the case, then its page: a redirect to it when every file went in, else
/// the page itself listing the files that were not added and why (those that were stay, as
/// does a case just opened with them). `opened`: the case was opened with them (201, and the
/// page leads with that); else an upload to it (422 when a file was refused).
pub(super) async fn attach_and_show(
    ctx: &PageContext,
    state: &AppState,
    h: &PortalHandle,
    id: i64,
    folder: Option<i64>,
    files: Vec<SpooledFile>,
    opened: bool,
) -> Response {
    let status = if opened {
        StatusCode::CREATED
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let into = Destination::Case { id, folder };
    let (added, refused) = match attach(h, into, files, ctx.strings(state)).await {
        Ok(outcome) => outcome,
        Err(e) => return ctx.failed(state, e).await,
    };
    if refused.is_empty() {
        return redirect(&if opened {
            format!("/portal/cases/{id}?opened=1&added={added}")
        } else {
            format!("/portal/cases/{id}?added={added}#documents")
        });
    }
    let notice = Notice {
        opened,
        added: Some(added),
        refused,
        ..Notice::default()
    };
    render(ctx, state, h, id, &CaseQuery::default(), notice, status).await
}

/// The case page with a problem of the whole upload beside its form.
async fn with_problem(
    ctx: &PageContext,
    state: &AppState,
    h: &PortalHandle,
    id: i64,
    problem: String,
    status: StatusCode,
) -> Response {
    let notice = Notice {
        problem: Some(problem),
        ..Notice::default()
    };
    render(ctx, state, h, id, &CaseQuery::default(), notice, status).await
}

fn limit_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Stores the form's files one by one into the chosen folder; each file stands alone, so one
/// refused file does not undo the others, and the page lists which were not added and why.
async fn store(
    ctx: &PageContext,
    state: &AppState,
    h: &PortalHandle,
    id: i64,
    parts: form_parts::FormParts,
) -> Response {
    let t = ctx.strings(state);
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let folder = match parts.first("folder").unwrap_or_default() {
        "" => None,
        raw => {
            let folders = match h.folders(id).await {
                Ok(f) => f,
                Err(e) => return ctx.failed(state, e).await,
            };
            let Some(f) = raw
                .parse::<i64>()
                .ok()
                .filter(|f| folders.iter().any(|x| x.id == *f))
            else {
                let problem = t.get("upload_folder_unknown").to_owned();
                return with_problem(ctx, state, h, id, problem, unprocessable).await;
            };
            Some(f)
        }
    };
    if parts.files.is_empty() {
        let problem = t.get("upload_none").to_owned();
        return with_problem(ctx, state, h, id, problem, unprocessable).await;
    }
    attach_and_show(ctx, state, h, id, folder, parts.files, false).await
}

/// Where a form's files go: a case (and folder), or a documents request of the visitor's.
#[derive(Clone, Copy)]
pub(super) enum Destination {
    Case { id: i64, folder: Option<i64> },
    Request(i64),
}

/// Adds each file: how many were added, and the files refused with the reason in the page's
/// language. Errors other than a refused file end the whole upload.
pub(super) async fn attach(
    h: &PortalHandle,
    into: Destination,
    files: Vec<SpooledFile>,
    t: &portico_theme::i18n::Strings,
) -> Result<(u32, Vec<(String, String)>), EngineError> {
    let mut added = 0;
    let mut refused = Vec::new();
    for mut file in files {
        if executable(&file.head).is_some() {
            refused.push((file.filename, t.get("upload_program").to_owned()));
            continue;
        }
        let upload = Upload {
            filename: file.filename.clone(),
            content_type: file.content_type.clone(),
            content: &mut file.file,
        };
        let stored = match into {
            Destination::Case { id, folder } => h.upload_document(id, folder, upload).await,
            Destination::Request(id) => h.upload_to_client_request(id, None, upload).await,
        };
        match stored {
            Ok(_) => added += 1,
            Err(EngineError::Validation { .. }) => {
                refused.push((file.filename, t.get("upload_refused").to_owned()));
            }
            Err(EngineError::RateLimited) => {
                refused.push((file.filename, t.get("upload_limited").to_owned()));
            }
            Err(e) => return Err(e),
        }
    }
    Ok((added, refused))
}

/// The case page, with `notice` beside the upload form.
async fn render(
    ctx: &PageContext,
    state: &AppState,
    h: &PortalHandle,
    id: i64,
    query: &CaseQuery,
    notice: Notice,
    status: StatusCode,
) -> Response {
    let order = match query.sort.as_deref() {
        Some("name") => DocumentOrder::Name,
        Some("activity") => DocumentOrder::Activity,
        _ => DocumentOrder::Created,
    };
    let dq = query.dq.as_deref().unwrap_or_default().trim().to_owned();
    let how = DocumentQuery {
        order,
        descending: order != DocumentOrder::Name,
        search: (!dq.is_empty()).then(|| dq.clone()),
    };
    // The conversation shows its newest messages (a link leads to the earlier ones); seeing
    // it marks it read.
    let window = portico_engine::conversation::Window {
        last: Some(MESSAGES_SHOWN),
        before: query.before,
    };
    let CasePage {
        view:
            CaseView {
                case: record,
                documents,
                folders,
                can_download,
            },
        requests,
        conversation,
        unread_before,
    } = match h.case_page(id, &how, window).await {
        Ok(page) => page,
        Err(e) => return ctx.failed(state, e).await,
    };
    let (messages, earlier) = (conversation.messages, conversation.earlier);
    let zone = if messages.is_empty() {
        state.config.time_zone
    } else {
        match h.time_zone().await {
            Ok(z) => z
                .and_then(|z| z.parse().ok())
                .unwrap_or(state.config.time_zone),
            Err(e) => return ctx.failed(state, e).await,
        }
    };
    let t = ctx.strings(state);
    let catalog = h.catalog();
    // The admin's portal fields, by block and position; number, subject and status head the page.
    let mut blocks: Vec<(String, Vec<Value>)> = Vec::new();
    for def in catalog.entity(EntityKind::Case).visible(Audience::Portal) {
        if matches!(def.key.as_str(), "number" | "subject" | "status") {
            continue;
        }
        let value = record.get(&def.key);
        let (text, href) = match def.field_type.spec().value {
            ValueKind::StaffUser => match record.reference(&def.key) {
                Some(uid) => match h.staff_user(uid).await {
                    Ok(u) => (u.name, None),
                    Err(_) => (t.get("empty_value").to_owned(), None),
                },
                None => (t.get("empty_value").to_owned(), None),
            },
            ValueKind::Contact => match record.reference(&def.key) {
                Some(cid) => match h.contact(cid).await {
                    Ok(c) => (c.get("name").as_str().unwrap_or_default().to_owned(), None),
                    Err(_) => (t.get("empty_value").to_owned(), None),
                },
                None => (t.get("empty_value").to_owned(), None),
            },
            ValueKind::Option => match value.as_str() {
                Some(s) => (option_label_of(t, Some(def), ctx.lang, s), None),
                None => (t.get("empty_value").to_owned(), None),
            },
            _ => format::field(def, value, ctx.lang, t),
        };
        let item = json!({"label": field_label(t, def, ctx.lang), "value": text, "href": href});
        match blocks.iter_mut().find(|(b, _)| *b == def.block) {
            Some((_, fields)) => fields.push(item),
            None => blocks.push((def.block.clone(), vec![item])),
        }
    }
    let folder_name = |fid: Option<i64>| {
        fid.and_then(|f| folders.iter().find(|x| x.id == f))
            .map(|f| f.name.clone())
    };
    let me = h.contact_id();
    let docs: Vec<Value> = documents
        .iter()
        .map(|d| {
            json!({
                "id": d.id,
                "name": d.name,
                "folder": folder_name(d.folder_id),
                "yours": d.uploaded_by == Some(me),
                "size": format::size(ctx.lang, d.size),
                "date": format::date_of_micros(ctx.lang, d.updated_at),
                "download_label": t.fill("download_label", &[("name", &d.name)]),
            })
        })
        .collect();
    let sorts: Vec<Value> = [("created", "sort_created"), ("activity", "sort_activity"), ("name", "sort_name")]
        .iter()
        .map(|(v, k)| json!({"value": v, "label": t.get(k), "selected": query.sort.as_deref().unwrap_or("created") == *v}))
        .collect();
    let number = case_number(record.id);
    let heading = t.fill("case_title", &[("number", &number)]);
    let subject = record
        .get("subject")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let limit = limits_text(ctx, state);
    let first_unread = messages
        .len()
        .saturating_sub(usize::try_from(unread_before).unwrap_or(0));
    let changeable = |m: &portico_engine::conversation::CaseMessage| {
        m.author.contact_id == Some(me)
            && !m.deleted()
            && portico_engine::now_micros() - m.created_at
                < portico_engine::conversation::EDIT_WINDOW_MICROS
    };
    let conversation: Vec<Value> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let at = chrono::DateTime::from_timestamp_micros(m.created_at).unwrap_or_default();
            json!({
                "id": m.id,
                "mine": m.author.contact_id == Some(me),
                "from_client": m.from_client(),
                "author": m.author.name,
                "html": format::message_html(&m.body),
                "at": portico_theme::dates::date_time(ctx.lang, at, zone),
                "at_iso": portico_engine::micros_to_rfc3339(m.created_at),
                "edited": m.edited_at.is_some(),
                // The client's own messages can be changed for a while: with the text to change.
                "changeable": changeable(m),
                "body": changeable(m).then_some(&m.body),
                "deleted": m.deleted(),
                "new": unread_before > 0
                    && query.before.is_none()
                    && i >= first_unread
                    && m.author.contact_id != Some(me),
                "attachments": m.attachments.iter().map(|a| json!({"id": a.id, "name": a.name})).collect::<Vec<_>>(),
            })
        })
        .collect();
    let (message_problem, message_typed) = match notice.message_problem {
        Some((problem, typed)) => (Some(problem), typed),
        None => (None, String::new()),
    };
    ctx.render(
        state,
        "case",
        &format!("{heading}: {subject}"),
        status,
        json!({
            "section": "cases",
            "id": record.id,
            "heading": heading,
            "subject": subject,
            "status": super::workspace::status_badge(t, catalog.entity(EntityKind::Case).field("status"), ctx.lang, record.get("status")),
            "blocks": blocks.into_iter().map(|(name, fields)| json!({"name": builtin_label(t, &name), "fields": fields})).collect::<Vec<_>>(),
            "requests": requests
                .iter()
                .map(|r| super::workspace::request_row(r, t, ctx.lang))
                .collect::<Vec<_>>(),
            "documents": docs,
            "any_folder": docs.iter().any(|d| !d["folder"].is_null()),
            "can_download": can_download,
            "sorts": sorts,
            "dq": dq,
            "folders": folders.iter().map(|f| json!({"id": f.id, "name": f.name})).collect::<Vec<_>>(),
            "upload_limits": limit,
            "opened": notice.opened.then(|| t.fill("case_opened", &[("number", &number)])),
            "added": notice.added.filter(|n| *n > 0).map(|n| t.count("upload_added", i64::from(n))),
            "upload_problem": notice.problem,
            "refused": notice.refused.iter().map(|(name, why)| json!({"name": name, "why": why})).collect::<Vec<_>>(),
            "messages": conversation,
            "message_sent": notice.message_sent.then(|| t.get("message_sent")),
            "message_problem": message_problem,
            "message_typed": message_typed,
            "message_refused": notice.message_refused.iter().map(|(name, why)| json!({"name": name, "why": why})).collect::<Vec<_>>(),
            "message_max": portico_engine::conversation::MAX_MESSAGE_CHARS,
            "earlier": earlier.then(|| messages.first().map(|m| m.id)).flatten(),
            "showing_earlier": query.before.is_some(),
        }),
    )
    .await
}
