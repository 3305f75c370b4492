//! GraphiQL, served on `GET /graphql` and `GET /portal/graphql` to browsers. Its scripts and
//! styles are embedded in the binary (see `server/assets/graphiql/refresh.sh`) and served from
//! `/graphiql/<tag>/<file>`, so GraphiQL works without internet access, trusts no CDN, and
//! runs under a Content-Security-Policy that allows only same-origin scripts and no inline
//! script at all.

use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::response::{IntoResponse, Response};
use std::hash::{DefaultHasher, Hasher};
use std::sync::LazyLock;

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// One file the page loads, embedded in the binary.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            body: include_bytes!(concat!("../../assets/graphiql/", $name)),
        }
    };
}

/// Every file under `/graphiql/`: nothing else is served there, so no request can name a file
/// on disk.
const ASSETS: &[Asset] = &[
    asset!("graphiql.min.css", CSS),
    asset!("page.css", CSS),
    asset!("react.production.min.js", JS),
    asset!("react-dom.production.min.js", JS),
    asset!("graphiql.min.js", JS),
    asset!("init.js", JS),
    // The MIT licences ask that their text travel with the code, and the binary is the copy
    // that travels.
    asset!("graphiql.LICENSE.txt", TEXT),
    asset!("react.LICENSE.txt", TEXT),
    asset!("react-dom.LICENSE.txt", TEXT),
];

/// A tag per asset, in the order of `ASSETS`, derived from its bytes. Putting it in the URL
/// lets browsers cache a file for good: a changed file gets a new URL. The hash only needs to
/// be the same in every process running this binary, which `DefaultHasher::new` is.
static TAGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|asset| {
            let mut hasher = DefaultHasher::new();
            hasher.write(asset.body);
            format!("{:016x}", hasher.finish())
        })
        .collect()
});

/// The URL the page uses for the asset called `name`. Only names from `ASSETS` are passed in,
/// so a missing one is a mistake in this file, caught by the first request of the page.
fn url(name: &str) -> String {
    let index = ASSETS
        .iter()
        .position(|asset| asset.name == name)
        .unwrap_or_else(|| panic!("no GraphiQL asset called {name}"));
    format!("/graphiql/{}/{name}", TAGS[index])
}

/// Escapes text for a double-quoted HTML attribute.
fn attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The page for the GraphQL endpoint at `endpoint`: same-origin files only, no inline script
/// or style, so that the security headers' policy can forbid both.
pub fn page(endpoint: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Portico GraphQL</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="{graphiql_css}">
  <link rel="stylesheet" href="{page_css}">
  <link rel="license" href="{graphiql_license}">
  <link rel="license" href="{react_license}">
  <link rel="license" href="{react_dom_license}">
</head>
<body>
  <div id="graphiql" data-endpoint="{endpoint}">Loading GraphiQL…</div>
  <script src="{react}"></script>
  <script src="{react_dom}"></script>
  <script src="{graphiql}"></script>
  <script src="{init}"></script>
</body>
</html>
"#,
        graphiql_css = url("graphiql.min.css"),
        page_css = url("page.css"),
        graphiql_license = url("graphiql.LICENSE.txt"),
        react_license = url("react.LICENSE.txt"),
        react_dom_license = url("react-dom.LICENSE.txt"),
        endpoint = attribute(endpoint),
        react = url("react.production.min.js"),
        react_dom = url("react-dom.production.min.js"),
        graphiql = url("graphiql.min.js"),
        init = url("init.js"),
    )
}

/// `GET /graphiql/{tag}/{file}`. A tag that is not the file's current one is a 404 rather
/// than today's bytes: the response may be cached for a year under that URL, and an old URL
/// must not come to mean new content.
pub async fn asset(Path((tag, name)): Path<(String, String)>) -> Response {
    let found = ASSETS
        .iter()
        .zip(TAGS.iter())
        .find(|(asset, asset_tag)| asset.name == name && **asset_tag == tag);
    match found {
        Some((asset, _)) => (
            [
                (CONTENT_TYPE, asset.content_type),
                (CACHE_CONTROL, "public, max-age=31536000, immutable"),
                (X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            asset.body,
        )
            .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            [(CONTENT_TYPE, TEXT), (CACHE_CONTROL, "no-cache")],
            "not found\n",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_names_every_asset_and_escapes_the_endpoint() {
        let html = page("/x\"><script>");
        for asset in ASSETS {
            assert!(html.contains(&url(asset.name)), "{}", asset.name);
        }
        assert!(html.contains(r#"data-endpoint="/x&quot;&gt;&lt;script&gt;""#));
    }
}
