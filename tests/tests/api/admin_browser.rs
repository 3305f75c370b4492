//! The staff UI in a real browser: a shared link to a screen asks for the sign-in and comes
//! back to that screen; the field editor switches `portalUser` on from the inactive fields and
//! creates a field with the key suggested from its label; a reload shows the same screen.
//! axe-core on every screen, screenshots in docs/screenshots/.

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app};
use crate::webdriver::Browser;
use serde_json::json;

async fn check(b: &Browser, name: &str) {
    let violations = b.axe().await;
    assert!(violations.is_empty(), "{name}: {violations:?}");
    b.screenshots(&format!("admin-{name}")).await;
}

#[tokio::test]
async fn an_admin_edits_fields_in_the_browser() {
    let app = spawn_app().await;
    let b = Browser::start(true).await;
    let screen = format!("{}/admin/fields/CONTACT", app.server.url);
    b.goto(&screen).await;
    b.wait_for("Acceso del personal").await;
    check(&b, "sign-in").await;
    b.type_into("#email", ADMIN_EMAIL).await;
    b.type_into("#password", "wrong password").await;
    b.click("form button[type=submit]").await;
    b.wait_for("no son correctos").await;
    b.type_into("#password", ADMIN_PASSWORD).await;
    b.click("form button[type=submit]").await;
    // Back on the screen the link named, never having left its address.
    let page = b.wait_for("Campos inactivos").await;
    assert_eq!(b.url().await, screen);
    assert!(page.contains("Campos de contactos"), "{page}");

    // portalUser waits among the inactive fields: one tick activates it.
    b.click("#active-portalUser").await;
    b.wait_for("» guardado.").await;
    let active = app
        .admin
        .ok(
            r#"{ fieldDefinitions(entity: CONTACT) { key } }"#,
            json!({}),
        )
        .await;
    assert!(
        active["fieldDefinitions"]
            .to_string()
            .contains("portalUser"),
        "{active}"
    );
    check(&b, "fields").await;

    // A new field: the key comes from the label, a bad one is flagged as it is typed.
    b.type_into("#nf-label", "Fecha de firma").await;
    b.wait_for_value("#nf-key", "fechaDeFirma").await;
    assert!(!b.source().await.contains("id=\"e-key\""));
    b.type_into("#nf-key", "1bad").await;
    b.wait_for("id=\"e-key\"").await;
    b.type_into("#nf-key", "fechaFirma").await;
    b.select("#nf-type", "DATE").await;
    b.click("form.card button[type=submit]").await;
    b.wait_for("Campo «Fecha de firma» creado.").await;
    let created = app
        .admin
        .ok(
            r#"{ fieldDefinitions(entity: CONTACT) { key type } }"#,
            json!({}),
        )
        .await;
    assert!(
        created["fieldDefinitions"]
            .to_string()
            .contains("{\"key\":\"fechaFirma\",\"type\":\"DATE\"}"),
        "{created}"
    );

    // Another entity by its tab; a reload shows the same screen, in the chosen language.
    b.click("a[href='/admin/fields/CASE']").await;
    b.wait_for("Campos de casos").await;
    b.click("header button[lang='en']").await;
    b.wait_for("Case fields").await;
    b.goto(&format!("{}/admin/fields/CASE", app.server.url))
        .await;
    b.wait_for("Case fields").await;
    b.click("#sign-out").await;
    b.wait_for("Staff sign-in").await;
}

#[tokio::test]
async fn staff_filter_sort_and_page_the_cases_and_the_address_keeps_them() {
    let app = spawn_app().await;
    for (subject, status) in [
        ("Alta de autónomo", "OPEN"),
        ("Baja de empleado", "CLOSED"),
        ("Cambio de cuenta", "OPEN"),
    ] {
        app.admin
            .ok(
                "mutation($s: String!, $st: CaseStatus!) { createCase(input: {subject: $s, status: $st}) { id } }",
                json!({"s": subject, "st": status}),
            )
            .await;
    }
    let b = Browser::start(true).await;
    b.goto(&format!("{}/admin/cases", app.server.url)).await;
    b.wait_for("Acceso del personal").await;
    b.type_into("#email", ADMIN_EMAIL).await;
    b.type_into("#password", ADMIN_PASSWORD).await;
    b.click("form button[type=submit]").await;
    b.wait_for("3 casos").await;

    // A filter on any field, with its type's operators: status is Open.
    b.click("details.tools summary").await;
    b.select("#nf-field", "status").await;
    b.select("#nf-op", "eq").await;
    b.select("#nf-value", "OPEN").await;
    b.click("details.tools form button[type=submit]").await;
    let page = b.wait_for("2 casos").await;
    assert!(!page.contains("Baja de empleado"), "{page}");
    assert!(
        b.url().await.ends_with("/admin/cases?f.status.eq=OPEN"),
        "{}",
        b.url().await
    );
    // A search on top of it, and a column chosen: both in the address.
    b.type_into("#q", "cambio").await;
    b.click("form[role=search] button").await;
    let page = b.wait_for("1 caso<").await;
    assert!(!page.contains("Alta de autónomo"), "{page}");
    b.click("#col-description").await;
    b.wait_until("return location.search.includes('cols=') && document.querySelectorAll('thead th').length === 7;")
        .await;
    b.type_into("#q", "").await;
    b.click("form[role=search] button").await;
    b.wait_for("2 casos").await;
    // Sorting by subject, ascending: the address says so too.
    b.click("th:nth-child(2) button").await;
    b.wait_for("aria-sort=\"ascending\"").await;
    let url = b.url().await;
    assert!(
        url.contains("sort=subject") && url.contains("dir=asc"),
        "{url}"
    );
    let page = b.source().await;
    assert!(
        page.find("Alta de autónomo").unwrap() < page.find("Cambio de cuenta").unwrap(),
        "{page}"
    );
    check(&b, "cases").await;
    // A reload (or the link, shared) shows the same list.
    b.goto(&url).await;
    let page = b.wait_for("2 casos").await;
    assert!(page.contains("aria-sort=\"ascending\"") && !page.contains("Baja de empleado"));
    // The filter's chip removes it.
    b.click(".chips button").await;
    b.wait_for("3 casos").await;

    // The session ends while the page is open (here: signed out from elsewhere). The next
    // screen asks for the sign-in at its own address, and shows itself after it.
    let session = b.cookie("portico_session").await;
    assert!(!session.is_empty());
    let ended = reqwest::Client::new()
        .delete(format!("{}/admin/session", app.server.url))
        .header("cookie", format!("portico_session={session}"))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    b.click("a[href='/admin/fields/CASE']").await;
    b.wait_for("Acceso del personal").await;
    assert!(b.url().await.ends_with("/admin/fields/CASE"));
    b.type_into("#email", ADMIN_EMAIL).await;
    b.type_into("#password", ADMIN_PASSWORD).await;
    b.click("form button[type=submit]").await;
    b.wait_for("Campos de casos").await;
    assert!(b.url().await.ends_with("/admin/fields/CASE"));
}
