//! The staff UI's delivery over real HTTP: the page for every screen's address, its assets
//! under a content hash (immutable, gzipped, with ETags), the vendored view library checked
//! against the npm lock, and the cookie session (HttpOnly, SameSite=Strict, refused cross-site).

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app};
use crate::web_security::sha256_hex;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Where the page loads its assets from (`/admin/assets/<hash>`).
pub(crate) fn asset_base(page: &str) -> String {
    let at = page.find("/admin/assets/").expect("an asset address");
    let rest = &page[at + "/admin/assets/".len()..];
    let hash = rest.split('/').next().unwrap();
    format!("/admin/assets/{hash}")
}

#[tokio::test]
async fn every_screen_address_serves_the_app_and_assets_are_cached_for_good() {
    let app = spawn_app().await;
    let h = http();
    let mut bases = Vec::new();
    for path in [
        "/admin",
        "/admin/fields/CASE",
        "/admin/cases?status=OPEN&sort=subject",
    ] {
        let res = h
            .get(format!("{}{path}", app.server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(res.headers()["cache-control"], "no-cache");
        let csp = res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        let scripts = csp
            .split(';')
            .find(|d| d.trim().starts_with("script-src"))
            .unwrap_or_default();
        assert_eq!(scripts.trim(), "script-src 'self'", "{csp}");
        let page = res.text().await.unwrap();
        assert!(
            page.contains("<script type=\"module\" src=\"/admin/assets/"),
            "{page}"
        );
        assert!(
            !page.contains("<script>") && !page.contains("importmap"),
            "no inline script"
        );
        bases.push(asset_base(&page));
    }
    assert!(bases.windows(2).all(|w| w[0] == w[1]));
    let base = format!("{}{}", app.server.url, bases[0]);

    let plain = h
        .get(format!("{base}/vendor/preact.module.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(
        plain.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        plain.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(plain.headers().get("content-encoding").is_none());
    let etag = plain.headers()["etag"].to_str().unwrap().to_owned();
    let body = plain.bytes().await.unwrap();
    let zipped = h
        .get(format!("{base}/vendor/preact.module.js"))
        .header("accept-encoding", "gzip, br")
        .send()
        .await
        .unwrap();
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert_eq!(zipped.headers()["vary"], "Accept-Encoding");
    assert!(zipped.bytes().await.unwrap().len() < body.len() / 2);
    let again = h
        .get(format!("{base}/vendor/preact.module.js"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    // Another set's address, or a path outside the set, is not there.
    let old = h
        .get(format!(
            "{}/admin/assets/0000000000000000/app.js",
            app.server.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 404);
    let outside = h
        .get(format!("{base}/..%2F..%2FCargo.toml"))
        .send()
        .await
        .unwrap();
    assert_eq!(outside.status(), 404);

    // A first visit, compressed, stays far under 150 KB.
    let total = portico_admin::first_load_bytes();
    println!("first load of /admin: {total} bytes, gzipped");
    assert!(total < 150 * 1024, "first load: {total} bytes");
}

#[tokio::test]
async fn the_vendored_view_library_is_what_the_npm_lock_pins() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../admin");
    let lock: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{root}/vendor/package-lock.json")).unwrap(),
    )
    .unwrap();
    let sums = std::fs::read_to_string(format!("{root}/assets/vendor/SHA256SUMS")).unwrap();
    let mut pinned = BTreeMap::new();
    let mut files = BTreeMap::new();
    for line in sums.lines().filter(|l| !l.trim().is_empty()) {
        if let Some(rest) = line.strip_prefix("# ") {
            let (package, integrity) = rest.split_once(' ').unwrap();
            let (name, version) = package.rsplit_once('@').unwrap();
            pinned.insert(name.to_owned(), (version.to_owned(), integrity.to_owned()));
        } else {
            let (sum, name) = line.split_once("  ").unwrap();
            files.insert(name.to_owned(), sum.to_owned());
        }
    }
    for name in ["preact", "htm", "@preact/signals", "@preact/signals-core"] {
        let entry = &lock["packages"][format!("node_modules/{name}")];
        let (version, integrity) = pinned
            .get(name)
            .unwrap_or_else(|| panic!("{name} vendored"));
        assert_eq!(entry["version"], json!(version), "{name}");
        assert_eq!(entry["integrity"], json!(integrity), "{name}");
    }
    assert!(files.len() >= 8, "{files:?}");
    let app = spawn_app().await;
    let page = http()
        .get(format!("{}/admin", app.server.url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let base = asset_base(&page);
    for (name, sum) in &files {
        let on_disk = std::fs::read(format!("{root}/assets/vendor/{name}")).unwrap();
        assert_eq!(&sha256_hex(&on_disk), sum, "{name} differs from SHA256SUMS");
        let served = http()
            .get(format!("{}{base}/vendor/{name}", app.server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(served.status(), 200, "{name}");
        let served = served.bytes().await.unwrap();
        assert_eq!(&sha256_hex(&served), sum, "{name} as served");
        if name.ends_with(".js") {
            let text = String::from_utf8(on_disk).unwrap();
            assert!(
                !text.contains("from\"preact\"") && !text.contains("from\"@preact"),
                "{name}"
            );
        }
    }
}

#[tokio::test]
async fn the_session_is_an_httponly_strict_cookie_and_other_sites_cannot_use_it() {
    let app = spawn_app().await;
    let h = http();
    let url = |p: &str| format!("{}{p}", app.server.url);
    let creds = json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD});
    // Another site's page: refused, whatever it sends.
    let forged = h
        .post(url("/admin/session"))
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://evil.example")
        .json(&creds)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(forged.headers().get("set-cookie").is_none());
    let form = h
        .post(url("/admin/session"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("email={ADMIN_EMAIL}&password=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 403);
    let wrong = h
        .post(url("/admin/session"))
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"email": ADMIN_EMAIL, "password": "not it"}))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let unknown = h
        .post(url("/admin/session"))
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"email": "nobody@example.com", "password": "not it"}))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 401);
    let wrong = wrong.text().await.unwrap();
    assert_eq!(
        wrong,
        unknown.text().await.unwrap(),
        "no way to tell an unknown address"
    );
    // The same shape as every GraphQL error.
    let wrong: Value = serde_json::from_str(&wrong).unwrap();
    assert_eq!(
        wrong["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{wrong}"
    );
    assert!(wrong["errors"][0]["message"].is_string(), "{wrong}");

    let ok = h
        .post(url("/admin/session"))
        .header("sec-fetch-site", "same-origin")
        .header("origin", &app.server.url)
        .json(&creds)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 204);
    let cookie = ok.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("portico_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Path=/"),
        "{cookie}"
    );
    let session = cookie.split(';').next().unwrap().to_owned();
    let me = |session: String| {
        let h = h.clone();
        let url = url("/graphql");
        async move {
            h.post(url)
                .header("cookie", session)
                .json(&json!({"query": "{ me { email } }"}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        me(session.clone()).await["data"]["me"]["email"],
        ADMIN_EMAIL
    );
    let out = h
        .delete(url("/admin/session"))
        .header("cookie", &session)
        .header("content-type", "application/json")
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert!(
        out.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    let after = me(session).await;
    assert_eq!(
        after["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{after}"
    );
}

/// The keys of the UI's catalog in `lang` (`es`, `en`), in the order written.
fn catalog_keys(lang: &str) -> Vec<String> {
    {
        let path = format!(
            "{}/../admin/assets/i18n/{lang}.js",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        let mut keys = Vec::new();
        for line in text.lines() {
            for part in line.split(", ") {
                let part = part.trim();
                if let Some((key, _)) = part.split_once(": '")
                    && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                {
                    keys.push(key.to_owned());
                }
            }
        }
        keys
    }
}

/// The UI's catalogs: the same keys in Spanish and English, each once (a key written twice
/// silently keeps only its last text).
#[test]
fn both_languages_have_every_string_once() {
    let (es, en) = (catalog_keys("es"), catalog_keys("en"));
    for list in [&es, &en] {
        let mut seen = std::collections::BTreeSet::new();
        for k in list.iter() {
            assert!(seen.insert(k), "{k} is written twice");
        }
    }
    let mut es_sorted = es.clone();
    let mut en_sorted = en.clone();
    es_sorted.sort();
    en_sorted.sort();
    assert_eq!(es_sorted, en_sorted);
    assert!(es.len() > 40, "{es:?}");
}

/// Every action the engine audits is worded in the UI (the engine's enum is the one list; a
/// new action without words here fails this test, not a reader of the log).
#[test]
fn every_audit_action_is_worded_in_both_languages() {
    for lang in ["es", "en"] {
        let keys = catalog_keys(lang);
        for action in portico_engine::audit::AuditAction::ALL.iter() {
            let key = format!("audit_{}", action.key());
            assert!(keys.contains(&key), "{lang}: no {key}");
        }
    }
}
