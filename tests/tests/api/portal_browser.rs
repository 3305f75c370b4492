//! The client portal in a real browser, from the client's side, with the invitation read from
//! the test's SMTP server: accept it, see the cases, open one, open a new one, switch language,
//! sign out. Every page is checked with axe-core and photographed at desktop and phone width
//! (docs/screenshots/). The same walk runs once with JavaScript off: the pages need none.

use crate::portal::{PUBLIC, portal_app};
use crate::webdriver::Browser;
use serde_json::json;

async fn check(b: &Browser, name: &str) {
    let violations = b.axe().await;
    assert!(violations.is_empty(), "{name}: {violations:?}");
    b.screenshots(&format!("portal-{name}")).await;
}

async fn walk(javascript: bool) {
    let t = portal_app().await;
    let carla = t
        .create_contact(json!({"name": "Carla Gómez", "email": "carla@example.com"}))
        .await;
    let case = t
        .create_case(json!({"subject": "Factura duplicada de octubre", "description": "Se cobró dos veces el mismo recibo."}))
        .await;
    t.link(&case, &carla).await;
    t.set_access(&case, &carla, true, true).await;
    let link = t
        .mail("carla@example.com", 1)
        .await
        .link(&format!("{PUBLIC}/portal/invitation/"));
    let link = link.replace(PUBLIC, &t.app.server.url);
    let b = Browser::start(javascript).await;
    let shots = javascript;

    b.goto(&link).await;
    let page = b.source().await;
    assert!(page.contains("Al menos 10 caracteres"), "{page}");
    if shots {
        check(&b, "invitation").await;
    }
    b.type_into("#password", "a portal password").await;
    b.type_into("#confirm", "a portal password").await;
    b.click("form.stack button[type=submit]").await;
    b.wait_for("Casos abiertos").await;
    assert!(b.url().await.ends_with("/portal"), "{}", b.url().await);
    assert!(b.source().await.contains("Factura duplicada de octubre"));
    if shots {
        check(&b, "home").await;
    }

    b.goto(&format!("{}/portal/cases?status=OPEN", t.app.server.url))
        .await;
    assert!(b.source().await.contains("1 caso"));
    if shots {
        check(&b, "cases").await;
    }
    b.click(&format!("a[href='/portal/cases/{case}']")).await;
    b.wait_for("Se cobró dos veces").await;
    if shots {
        check(&b, "case").await;
    }

    b.goto(&format!("{}/portal/indicators", t.app.server.url))
        .await;
    let page = b.wait_for("Casos por estado").await;
    assert!(page.contains("role=\"img\""), "{page}");
    if shots {
        check(&b, "indicators").await;
    }

    b.goto(&format!("{}/portal/cases/new", t.app.server.url))
        .await;
    if shots {
        check(&b, "new-case").await;
    }
    b.type_into("#f-subject", "Cambio de domicilio").await;
    b.type_into("#f-description", "Nos mudamos en diciembre.")
        .await;
    b.click("form.wide button[type=submit]").await;
    b.wait_for("Nos mudamos en diciembre.").await;
    assert!(
        b.url().await.contains("/portal/cases/"),
        "{}",
        b.url().await
    );

    // The account: a new password (the current one proves it is her).
    b.goto(&format!("{}/portal/account", t.app.server.url))
        .await;
    if shots {
        check(&b, "account").await;
    }
    b.type_into("#current", "a portal password").await;
    b.type_into("#password", "a newer portal password").await;
    b.type_into("#confirm", "a newer portal password").await;
    b.click("form[action='/portal/account/password'] button")
        .await;
    b.wait_for("Su contraseña ha cambiado").await;

    // The language switch on every page.
    b.click("form[action='/portal/language'] button").await;
    b.wait_for("<html lang=\"en\">").await;
    b.click("form[action='/portal/logout'] button").await;
    b.wait_for("You are signed out").await;
    assert!(b.url().await.contains("/portal/login"), "{}", b.url().await);
    if shots {
        check(&b, "login").await;
    }
}

#[tokio::test]
async fn a_client_walks_the_portal_in_a_browser() {
    walk(true).await;
}

#[tokio::test]
async fn the_portal_works_with_javascript_off() {
    walk(false).await;
}
