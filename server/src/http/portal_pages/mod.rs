//! The client portal's web pages at `/portal`, rendered on the server from the visitor's
//! portal handle (never from the engine itself), usable without JavaScript.
//!
//! Every POST is a form that redirects after it succeeds (POST/redirect/GET) and passes the
//! CSRF check in [`csrf`]. The session is the portal's own cookie (HttpOnly, SameSite=Lax,
//! Secure when the public URL is https). A case or document the visitor may not see is the
//! same 404 page as one that does not exist.

mod account;
mod case_page;
mod csrf;
mod form_fields;
mod form_parts;
mod format;
mod new_case;
mod posted;
mod request_page;
mod request_signing;
mod sign_in;
mod verify_page;
mod visitor;
mod workspace;

use super::AppState;
use axum::Router;
use axum::routing::{get, post};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(workspace::landing))
        .route("/portal", get(workspace::home))
        .route("/portal/", get(workspace::home))
        .route("/portal/cases", get(workspace::cases))
        .route(
            "/portal/cases/new",
            get(new_case::page).post(new_case::submit),
        )
        .route("/portal/cases/{id}", get(case_page::page))
        .route("/portal/cases/{id}/documents", post(case_page::upload))
        .route("/portal/cases/{id}/messages", post(case_page::post_message))
        .route(
            "/portal/cases/{id}/messages/{message}",
            post(case_page::change_message),
        )
        .route(
            "/portal/requests/{id}",
            get(request_page::page).post(request_page::post),
        )
        .route(
            "/portal/requests/{id}/documents",
            post(request_page::upload),
        )
        .route(
            "/portal/requests/{id}/document",
            get(request_signing::document),
        )
        .route("/portal/requests/{id}/sign", post(request_signing::sign))
        .route(
            "/portal/requests/{id}/decline",
            post(request_signing::decline),
        )
        .route(
            "/portal/login",
            get(sign_in::login_page).post(sign_in::login),
        )
        .route("/portal/indicators", get(workspace::indicators))
        .route(
            "/portal/verify",
            get(verify_page::page).post(verify_page::check),
        )
        .route("/portal/account", get(account::page))
        .route("/portal/account/password", post(account::change_password))
        .route("/portal/account/time-zone", post(account::time_zone))
        .route("/portal/account/notices", post(account::notices))
        .route("/portal/logout", post(sign_in::logout))
        .route(
            "/portal/reset",
            get(sign_in::reset_page).post(sign_in::reset_request),
        )
        .route(
            "/portal/reset/{token}",
            get(sign_in::reset_link_page).post(sign_in::reset_link),
        )
        .route(
            "/portal/invitation/{token}",
            get(sign_in::invitation_page).post(sign_in::invitation),
        )
        .route("/portal/language", post(workspace::language))
        .route("/portal/organisation", post(workspace::organisation))
        .route(
            "/portal/static/{hash}/portal.css",
            get(workspace::stylesheet),
        )
}
