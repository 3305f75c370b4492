//! The signed-in portal: the landing page at `/`, home, the case list and one case, and the
//! two settings every page offers (language, current organisation).

use super::super::AppState;
use super::format;
use super::visitor::{
    CheckedForm, LANG_COOKIE, PageContext, SignedIn, carries_token, redirect, safe_next,
};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_engine::PortalHandle;
use portico_engine::metadata::{EntityKind, FieldDefinition, enum_value_name};
use portico_engine::records::{Condition, ListQuery, Op, Record, case_number};
use portico_theme::email::Language;
use portico_theme::i18n::Strings;
use serde::Deserialize;
use serde_json::{Value, json};

/// Cases per page of the list.
const PAGE: u64 = 20;
/// The furthest page a link may ask for (pages are walked by cursor).
const MAX_PAGE: u64 = 200;

/// A select option's label in the page's language when the catalog knows it (the built-in
/// statuses), else as the admin wrote it.
pub(super) fn option_label(t: &Strings, option: &str) -> String {
    let key = format!("option_{}", enum_value_name(option));
    match t.get(&key) {
        k if k == key => option.to_owned(),
        text => text.to_owned(),
    }
}

/// An option of `def` in the page's language: the admin's label for it, else the option
/// translated when Portico ships it, else as written.
pub(super) fn option_label_of(
    t: &Strings,
    def: Option<&FieldDefinition>,
    lang: Language,
    option: &str,
) -> String {
    match def.and_then(|d| d.option_label_in(option, lang.code())) {
        Some(own) => own.to_owned(),
        None => option_label(t, option),
    }
}

/// A field's or block's name in the page's language when it is one Portico ships (an admin's
/// own names, or renamed ones, are shown as written).
pub(super) fn builtin_label(t: &Strings, text: &str) -> String {
    let key = format!("builtin_{}", text.replace(' ', "_"));
    match t.get(&key) {
        k if k == key => text.to_owned(),
        translated => translated.to_owned(),
    }
}

/// A field's label in the page's language: the admin's own for it, else the shipped label
/// translated, else the label as written.
pub(super) fn field_label(t: &Strings, def: &FieldDefinition, lang: Language) -> String {
    if def.has_label_in(lang.code()) {
        def.label_in(lang.code()).to_owned()
    } else {
        builtin_label(t, &def.label)
    }
}

pub async fn landing(State(state): State<AppState>, ctx: PageContext) -> Response {
    let t = ctx.strings(&state);
    ctx.render(
        &state,
        "landing",
        t.get("landing_title"),
        StatusCode::OK,
        json!({}),
    )
    .await
}

/// A client request as the portal's lists show it: title, case, due date (late ones marked),
/// state, and what staff said when they returned it.
pub(super) fn request_row(
    r: &portico_engine::requests::ClientRequest,
    t: &Strings,
    lang: Language,
) -> Value {
    let late = r.late();
    let due = r.due_date.as_deref().and_then(|d| {
        let mut parts = d.split('-');
        Some(format::date(
            lang,
            parts.next()?.parse().ok()?,
            parts.next()?.parse().ok()?,
            parts.next()?.parse().ok()?,
        ))
    });
    json!({
        "id": r.id,
        "title": r.title,
        "instructions": r.instructions,
        "case_id": r.case_id,
        "case_number": case_number(r.case_id),
        "due": due,
        "late": late,
        "state": r.state.key(),
        "state_label": t.get(&format!("request_state_{}", r.state.key())),
        "tone": match r.state {
            portico_engine::requests::RequestState::Open => "new",
            portico_engine::requests::RequestState::Returned | portico_engine::requests::RequestState::Submitted => "active",
            _ => "closed",
        },
        "comment": r.comment,
    })
}

/// A case's status as the pages show it: the word, and its tone for the badge's colour
/// (`closed` for an option the admin marked finished, `new` for the one new cases take, else
/// `active`); null when the case has none.
pub(super) fn status_badge(
    t: &Strings,
    def: Option<&FieldDefinition>,
    lang: Language,
    value: &Value,
) -> Value {
    let Some(status) = value.as_str() else {
        return Value::Null;
    };
    let tone = match def {
        Some(d) if d.closed_options.iter().any(|o| o == status) => "closed",
        Some(d) if d.default_option.as_deref() == Some(status) => "new",
        _ => "active",
    };
    json!({"label": option_label_of(t, def, lang, status), "tone": tone})
}

fn case_row(c: &Record, t: &Strings, ctx: &PageContext, status: Option<&FieldDefinition>) -> Value {
    json!({
        "id": c.id,
        "number": case_number(c.id),
        "subject": c.get("subject"),
        "status": status_badge(t, status, ctx.lang, c.get("status")),
        "opened": format::date_of_micros(ctx.lang, c.created_at),
    })
}

pub async fn home(State(state): State<AppState>, SignedIn { ctx, handle }: SignedIn) -> Response {
    let h = &handle;
    // The open cases: those whose status the admin has not marked closed (whatever its label).
    let open: Vec<String> = h
        .catalog()
        .entity(EntityKind::Case)
        .field("status")
        .map(|d| d.open_options().cloned().collect())
        .unwrap_or_default();
    let q = ListQuery {
        conditions: vec![Condition {
            key: "status".into(),
            op: Op::In,
            value: json!(open),
        }],
        first: Some(10),
        without_custom: true,
        ..ListQuery::default()
    };
    let page = match h.cases(&q).await {
        Ok(p) => p,
        Err(e) => return ctx.failed(&state, e).await,
    };
    let indicators = match indicator_items(&ctx, &state, h).await {
        Ok(i) => i,
        Err(e) => return ctx.failed(&state, e).await,
    };
    // "To do": what the firm asked of this client, late first.
    use portico_engine::requests::RequestState;
    let todo = match h
        .client_requests(&[RequestState::Open, RequestState::Returned])
        .await
    {
        Ok(list) => list,
        Err(e) => return ctx.failed(&state, e).await,
    };
    // Conversations with something the client has not read.
    let unread = match h.unread_cases().await {
        Ok(list) => list,
        Err(e) => return ctx.failed(&state, e).await,
    };
    let t = ctx.strings(&state);
    let todo: Vec<Value> = todo.iter().map(|r| request_row(r, t, ctx.lang)).collect();
    let catalog = h.catalog();
    let status = catalog.entity(EntityKind::Case).field("status");
    let unread_of = |id: i64| {
        unread
            .iter()
            .find(|(c, _)| c.id == id)
            .map(|(_, n)| t.count("unread_count", *n))
    };
    let cases: Vec<Value> = page
        .records
        .iter()
        .map(|c| {
            let mut row = case_row(c, t, &ctx, status);
            row["unread"] = json!(unread_of(c.id));
            row
        })
        .collect();
    let messages: Vec<Value> = unread
        .iter()
        .map(|(c, n)| {
            let mut row = case_row(c, t, &ctx, status);
            row["unread"] = json!(t.count("unread_count", *n));
            row
        })
        .collect();
    ctx.render(
        &state,
        "home",
        t.get("home_title"),
        StatusCode::OK,
        json!({"todo": todo, "messages": messages, "section": "home", "cases": cases, "indicators": indicators, "level": 3}),
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct CasesQuery {
    status: Option<String>,
    q: Option<String>,
    page: Option<u64>,
}

/// `/portal/cases` with the given filter, search and page.
fn cases_href(status: &str, q: &str, page: u64) -> String {
    let mut parts = Vec::new();
    if !status.is_empty() {
        parts.push(format!("status={}", super::visitor::percent_encode(status)));
    }
    if !q.is_empty() {
        parts.push(format!("q={}", super::visitor::percent_encode(q)));
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        "/portal/cases".into()
    } else {
        format!("/portal/cases?{}", parts.join("&"))
    }
}

pub async fn cases(
    State(state): State<AppState>,
    SignedIn { ctx, handle }: SignedIn,
    query: Result<Query<CasesQuery>, QueryRejection>,
) -> Response {
    let h = &handle;
    // A malformed address (page=abc) shows the first page rather than an error.
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let t = ctx.strings(&state);
    let catalog = h.catalog();
    let status_def = catalog.entity(EntityKind::Case).field("status").cloned();
    let options = status_def
        .as_ref()
        .map(|d| d.options.clone())
        .unwrap_or_default();
    let wanted = query
        .status
        .as_deref()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let chosen = options
        .iter()
        .find(|o| enum_value_name(o) == wanted)
        .cloned();
    let search = query.q.as_deref().unwrap_or_default().trim().to_owned();
    let mut conditions = Vec::new();
    if let Some(label) = &chosen {
        conditions.push(Condition {
            key: "status".into(),
            op: Op::Eq,
            value: json!(label),
        });
    }
    if !search.is_empty() {
        conditions.push(Condition {
            key: "q".into(),
            op: Op::Search,
            value: json!(search),
        });
    }
    let total = match h.case_count(&conditions).await {
        Ok(n) => n.max(0) as u64,
        Err(e) => return ctx.failed(&state, e).await,
    };
    let pages = total.div_ceil(PAGE).max(1);
    let page_no = query.page.unwrap_or(1).clamp(1, pages.min(MAX_PAGE));
    // Keyset paging: walk to the page asked for.
    let mut after = None;
    let mut records = Vec::new();
    for _ in 0..page_no {
        let q = ListQuery {
            conditions: conditions.clone(),
            first: Some(PAGE),
            after: after.clone(),
            without_custom: true,
            ..ListQuery::default()
        };
        let page = match h.cases(&q).await {
            Ok(p) => p,
            Err(e) => return ctx.failed(&state, e).await,
        };
        after = page.records.last().map(|r| page.cursors.cursor(r));
        records = page.records;
    }
    let status_label = chosen
        .as_deref()
        .map(|l| option_label_of(t, status_def.as_ref(), ctx.lang, l))
        .unwrap_or_default();
    let summary = if total > 0 {
        t.count("cases_count", total as i64)
    } else {
        match (chosen.is_some(), search.is_empty()) {
            (true, false) => t.fill(
                "cases_none_filtered",
                &[("status", &status_label), ("q", &search)],
            ),
            (true, true) => t.fill("cases_none_status", &[("status", &status_label)]),
            (false, false) => t.fill("cases_none_search", &[("q", &search)]),
            (false, true) => t.get("cases_none").to_owned(),
        }
    };
    let status_value = chosen.as_deref().map(enum_value_name).unwrap_or_default();
    let statuses: Vec<Value> = options
        .iter()
        .map(|o| json!({"value": enum_value_name(o), "label": option_label_of(t, status_def.as_ref(), ctx.lang, o), "selected": Some(o) == chosen.as_ref()}))
        .collect();
    let rows: Vec<Value> = records
        .iter()
        .map(|c| case_row(c, t, &ctx, status_def.as_ref()))
        .collect();
    let page_label = t.fill(
        "page_of",
        &[
            ("page", &page_no.to_string()),
            ("pages", &pages.to_string()),
        ],
    );
    ctx.render(
        &state,
        "cases",
        t.get("cases_title"),
        StatusCode::OK,
        json!({
            "section": "cases",
            "statuses": statuses,
            "q": search,
            "summary": summary,
            "filtered": chosen.is_some() || !search.is_empty(),
            "cases": rows,
            "pages": pages,
            "page_label": page_label,
            "prev_href": (page_no > 1).then(|| cases_href(&status_value, &search, page_no - 1)),
            "next_href": (page_no < pages.min(MAX_PAGE)).then(|| cases_href(&status_value, &search, page_no + 1)),
        }),
    )
    .await
}

/// The current organisation's indicators, ready for `portal/chart.html`.
async fn indicator_items(
    ctx: &PageContext,
    state: &AppState,
    h: &PortalHandle,
) -> Result<Vec<Value>, portico_engine::EngineError> {
    let list = h.indicators().await?;
    let t = ctx.strings(state);
    let currency = state.engine.branding().currency.clone();
    let catalog = h.catalog();
    let items = list
        .iter()
        .map(|i| {
            let max = i.buckets.iter().map(|b| b.count).max().unwrap_or(0).max(1);
            let title = match t.get(&format!("indicator_{}", i.key)) {
                k if k.starts_with("indicator_") => i.title.to_owned(),
                text => text.to_owned(),
            };
            let amounts = i.buckets.iter().any(|b| b.amount.is_some());
            // The field whose options the buckets are, for their labels in the page's language.
            let bucket_field = match i.key {
                "casesByStatus" => catalog.entity(EntityKind::Case).field("status").cloned(),
                "dealsByStage" => catalog.entity(EntityKind::Deal).field("stage").cloned(),
                _ => None,
            };
            let bars: Vec<Value> = i
                .buckets
                .iter()
                .enumerate()
                .map(|(n, b)| {
                    let width = (b.count as f64 / max as f64 * 220.0).round() as i64;
                    json!({
                        "y": n as i64 * 28,
                        "width": width,
                        "text_x": 146 + width,
                        "label": option_label_of(t, bucket_field.as_ref(), ctx.lang, &b.label),
                        "count": format::number(ctx.lang, b.count),
                        "amount": b.amount.map(|a| format::money(ctx.lang, a, &currency)),
                    })
                })
                .collect();
            json!({
                "key": i.key,
                "title": title,
                "chart_label": t.fill("indicator_chart", &[("title", &title)]),
                "height": (i.buckets.len().max(1) as i64) * 28,
                "bars": bars,
                "amounts": amounts,
                "empty": i.buckets.iter().all(|b| b.count == 0),
            })
        })
        .collect();
    Ok(items)
}

/// `/portal/indicators`: each indicator as a bar chart drawn here (inline SVG, no script) with
/// its numbers in a table beside it.
pub async fn indicators(
    State(state): State<AppState>,
    SignedIn { ctx, handle }: SignedIn,
) -> Response {
    let h = &handle;
    let items = match indicator_items(&ctx, &state, h).await {
        Ok(i) => i,
        Err(e) => return ctx.failed(&state, e).await,
    };
    let t = ctx.strings(&state);
    ctx.render(
        &state,
        "indicators",
        t.get("indicators_title"),
        StatusCode::OK,
        json!({"section": "indicators", "indicators": items, "level": 2}),
    )
    .await
}

#[derive(Deserialize)]
pub struct LanguageForm {
    csrf: Option<String>,
    lang: String,
    back: Option<String>,
}

carries_token!(LanguageForm, OrganisationForm);

pub async fn language(ctx: PageContext, CheckedForm(form): CheckedForm<LanguageForm>) -> Response {
    let lang = if form.lang == "en" { "en" } else { "es" };
    let mut r = redirect(&back_to(form.back.as_deref()));
    r.headers_mut().append(
        SET_COOKIE,
        ctx.cookie(LANG_COOKIE, lang, Some(365 * 24 * 3600)),
    );
    r
}

/// Where a setting sends the visitor back: the page they were on (`/` too), never elsewhere.
fn back_to(back: Option<&str>) -> String {
    match back {
        Some("/") => "/".into(),
        other => safe_next(other),
    }
}

#[derive(Deserialize)]
pub struct OrganisationForm {
    csrf: Option<String>,
    id: String,
    back: Option<String>,
}

pub async fn organisation(
    State(state): State<AppState>,
    SignedIn { ctx, handle }: SignedIn,
    CheckedForm(form): CheckedForm<OrganisationForm>,
) -> Response {
    let h = &handle;
    let Some(id) = form.id.parse::<i64>().ok() else {
        return ctx.not_found(&state).await;
    };
    match h.switch_organisation(id).await {
        // A case of the previous organisation may be out of the new scope: go to the list.
        Ok(_) => redirect(&safe_next(form.back.as_deref()).split('?').next().map_or(
            "/portal".to_owned(),
            |p| {
                if p.starts_with("/portal/cases/") {
                    "/portal/cases".to_owned()
                } else {
                    p.to_owned()
                }
            },
        )),
        Err(e) => ctx.failed(&state, e).await,
    }
}

pub async fn stylesheet(State(state): State<AppState>, Path(hash): Path<String>) -> Response {
    if !state.pages.css_path().contains(&hash) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let mut r = portico_theme::pages::CSS.into_response();
    let h = r.headers_mut();
    h.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    h.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    r
}
