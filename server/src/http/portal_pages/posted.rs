//! A form with files posted to a page of one case or request, read the same way for every such
//! form: the visitor signed in, the id a real one, the visitor allowed to send files there
//! (asked before a byte of a file is read), then the parts read under the upload limits with
//! the CSRF check on the first file. Whatever stops it early, the body is drained so the
//! browser shows our answer.

use super::super::AppState;
use super::csrf;
use super::form_parts::{self, Failed, FormError, FormParts, Limits};
use super::visitor::PageContext;
use axum::body::Body;
use axum::http::HeaderMap;
use axum::response::Response;
use portico_engine::{EngineError, PortalHandle};

pub(super) enum Posted {
    /// Answered already (to the sign-in page, or not found).
    Answer(Response),
    /// The visitor may not send files there.
    Refused(PageContext, i64, EngineError),
    Read {
        ctx: PageContext,
        handle: PortalHandle,
        id: i64,
        parts: Result<FormParts, Failed>,
    },
}

/// Reads a form posted to `page` (the path of the page it came from) about the case or request
/// `raw_id`; `may_send` says whether the visitor may send files to it.
pub(super) async fn read<F, Fut>(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    page: String,
    raw_id: &str,
    may_send: F,
) -> Posted
where
    F: FnOnce(PortalHandle, i64) -> Fut,
    Fut: std::future::Future<Output = Result<(), EngineError>>,
{
    let ctx = match PageContext::of(state, headers, page).await {
        Ok(c) => c,
        Err(r) => return Posted::Answer(r),
    };
    let Some(handle) = ctx.handle.clone() else {
        form_parts::discard(body).await;
        return Posted::Answer(ctx.to_login());
    };
    let Some(id) = raw_id.parse::<i64>().ok().filter(|i| *i > 0) else {
        form_parts::discard(body).await;
        return Posted::Answer(ctx.not_found(state).await);
    };
    if let Err(e) = may_send(handle.clone(), id).await {
        form_parts::discard(body).await;
        return Posted::Refused(ctx, id, e);
    }
    let limits = Limits {
        file_bytes: state.config.max_upload_bytes,
        files: state.config.max_upload_files,
    };
    let parts = if form_parts::is_multipart(headers) {
        form_parts::read(headers, body, limits, |fields| {
            let token = fields.get("csrf").and_then(|v| v.first());
            csrf::allowed(state, headers, token.map(String::as_str))
        })
        .await
    } else {
        form_parts::discard(body).await;
        Err(Failed {
            error: FormError::Malformed,
            fields: Default::default(),
        })
    };
    Posted::Read {
        ctx,
        handle,
        id,
        parts,
    }
}
