//! End-to-end tests: each boots the real `portico` server on an ephemeral port with a database
//! of its own (SQLite, or PostgreSQL when PORTICO_TEST_DATABASE_URL is set) and talks HTTP.

mod admin_browser;
mod admin_ui;
mod at_a_glance;
mod authorization;
mod batching;
mod branding;
mod case_browser;
mod connections;
mod crash;
mod credentials;
mod cross_site;
mod disclosure;
mod documents;
mod field_languages;
mod first_link;
mod grants;
mod graphql_http;
mod helpers;
mod hostile_uploads;
mod identity;
mod limits;
mod live;
mod lockout;
mod mail;
mod metadata;
mod multiprocess;
mod notifications;
mod option_meaning;
mod portal;
mod portal_authorization;
mod portal_browser;
mod portal_pages;
mod portal_uploads;
mod portal_user;
mod product_story;
mod records;
mod schema_check;
mod search;
mod serving;
mod smtp;
mod staff_invitation;
mod template_limits;

mod web_security;
mod webdriver;
