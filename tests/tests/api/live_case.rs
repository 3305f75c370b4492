//! An open case screen stays current (issue 19): a client's upload and its activity, and a
//! colleague's change, show on the staff member's screen without a reload, over
//! `/graphql/ws`, and the screen says who changed it. The client and the colleague act through
//! their own endpoints; the staff member only watches.

use crate::admin_browser::sign_in;
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::portal::portal_app;
use crate::webdriver::Browser;
use serde_json::json;

#[tokio::test]
async fn a_clients_upload_and_a_colleagues_change_appear_on_an_open_case_screen() {
    let t = portal_app().await;
    let server = t.app.server.url.clone();
    let ana = t
        .create_contact(json!({"name": "Ana Ruiz", "email": "ana@example.com", "portalUser": true}))
        .await;
    let case = t
        .create_case(json!({"subject": "Renta 2025", "client": ana}))
        .await;
    t.set_access(&case, &ana, true, true).await;
    let client = t.accept_mailed("ana@example.com", 1).await;

    let b = Browser::start(true).await;
    b.goto(&format!("{server}/admin/cases/{case}")).await;
    sign_in(&b, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    b.wait_for("Renta 2025").await;
    b.wait_for("id=\"case-news\"").await;
    // Let the subscription start before anything happens (what happened before it started is
    // caught up by a reload, but not announced).
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;

    client
        .upload(
            "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }",
            json!({"c": case}),
            "nomina-enero.pdf",
            b"%PDF-1.4 a payslip",
        )
        .await;
    b.wait_for("nomina-enero.pdf").await;
    b.wait_for("Actualizado ahora mismo por Ana Ruiz (portal).")
        .await;

    // A colleague closes the case through the API: the status badge follows.
    t.manager
        .ok(
            "mutation($id: ID!) { updateCase(id: $id, input: {status: CLOSED}) { id } }",
            json!({"id": case}),
        )
        .await;
    b.wait_for("badge badge-closed").await;
    b.wait_for("Actualizado ahora mismo por manager@example.com.")
        .await;
    b.check("admin-case-live").await;

    // The staff member saves the long form at its bottom: "Saved" shows where they are looking
    // (a toast in the window, announced), not at the top of the page, off-screen.
    b.resize(390, 844).await;
    b.type_into("#f-subject", "Renta 2025 (revisada)").await;
    b.click("#details form button[type=submit]").await;
    b.wait_for("Guardado.").await;
    assert_eq!(
        b.run("const t = document.getElementById('toasts'); const r = t.getBoundingClientRect(); return t.textContent.includes('Guardado.') && r.bottom <= innerHeight && r.top >= 0;")
            .await,
        json!(true)
    );
}
