//! What a list says at a glance (issue 19): a case's status is a coloured badge with its word
//! (never the colour alone) on both UIs, and an empty list says what would fill it and offers
//! the action, or, when a search or filter emptied it, offers to clear that. Run in a real
//! browser as staff and a client see it.

use crate::admin_browser::sign_in;
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD};
use crate::portal::{PASSWORD, portal_app};
use crate::webdriver::Browser;
use serde_json::json;

#[tokio::test]
async fn statuses_read_as_badges_and_empty_lists_offer_the_way_on() {
    let t = portal_app().await;
    let server = t.app.server.url.clone();
    let b = Browser::start(true).await;
    b.goto(&format!("{server}/admin/cases")).await;
    sign_in(&b, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    // No cases yet: the list says what a case is and offers to open one.
    b.wait_for("Aún no hay casos").await;
    b.click("#empty-list a.button").await;
    b.wait_for_url("/admin/cases/new").await;

    let ana = t
        .create_contact(json!({"name": "Ana", "email": "ana@example.com", "portalUser": true}))
        .await;
    for (subject, status) in [
        ("Renta 2025", "OPEN"),
        ("Alta de autónomo", "IN_PROGRESS"),
        ("IVA 3T", "CLOSED"),
    ] {
        let id = t
            .create_case(json!({"subject": subject, "client": ana, "status": status}))
            .await;
        t.set_access(&id, &ana, true, true).await;
    }
    b.goto(&format!("{server}/admin/cases")).await;
    b.wait_for("IVA 3T").await;
    for (tone, word) in [
        ("new", "Abierto"),
        ("active", "En curso"),
        ("closed", "Cerrado"),
    ] {
        let text = b
            .run(&format!("return [...document.querySelectorAll('td .badge-{tone}')].map(e => e.textContent).join('|')"))
            .await;
        assert_eq!(text, word, "{tone}");
    }
    b.check("admin-cases-badges").await;
    // A search that finds nothing offers to clear it; clearing shows the cases again.
    b.type_into("#q", "zzz").await;
    b.click("form[role=search] button[type=submit]").await;
    b.wait_for("Nada coincide con la búsqueda").await;
    b.click("#clear-filters").await;
    b.wait_for("IVA 3T").await;
    assert!(!b.url().await.contains("q="));
    b.wait_for_value("#q", "").await;

    // The field list says in words what the two portal switches do.
    b.goto(&format!("{server}/admin/fields/CASE")).await;
    b.wait_for("id=\"portal-states\"").await;
    assert!(b.source().await.contains("El cliente lo rellena"));

    // The client: badges on the home page and the list; an empty search offers all cases.
    t.accept_mailed("ana@example.com", 1).await;
    let p = Browser::start(true).await;
    p.goto(&format!("{server}/portal/login")).await;
    p.type_into("#email", "ana@example.com").await;
    p.type_into("#password", PASSWORD).await;
    p.click("form.stack button[type=submit]").await;
    p.wait_for("Renta 2025").await;
    let home = p.source().await;
    assert!(
        home.contains("<span class=\"badge badge-new\">Abierto</span>"),
        "{home}"
    );
    assert!(
        home.contains("<span class=\"badge badge-active\">En curso</span>"),
        "{home}"
    );
    p.goto(&format!("{server}/portal/cases")).await;
    p.wait_for("<span class=\"badge badge-closed\">Cerrado</span>")
        .await;
    p.check("portal-cases-badges").await;
    p.goto(&format!("{server}/portal/cases?q=zzz")).await;
    p.wait_for("Ver todos mis casos").await;
    p.click("p.empty a").await;
    p.wait_for("IVA 3T").await;
}

/// Staff land on their home: their open cases (not closed ones, not a colleague's) and what
/// clients did lately on the cases they follow, each leading to the case.
#[tokio::test]
async fn staff_start_from_their_open_cases_and_recent_client_activity() {
    let t = portal_app().await;
    let server = t.app.server.url.clone();
    let ana = t
        .create_contact(json!({"name": "Ana", "email": "ana@example.com", "portalUser": true}))
        .await;
    let mut open = String::new();
    for (subject, status) in [("Renta 2025", "OPEN"), ("IVA 3T", "CLOSED")] {
        let id = t
            .create_case(json!({"subject": subject, "client": ana, "status": status}))
            .await;
        t.set_access(&id, &ana, true, true).await;
        if status == "OPEN" {
            open = id;
        }
    }
    // A colleague's open case is not on the manager's home.
    t.app
        .admin
        .ok(
            "mutation { createCase(input: {subject: \"Caso de otra persona\"}) { id } }",
            json!({}),
        )
        .await;
    let client = t.accept_mailed("ana@example.com", 1).await;
    client
        .upload(
            "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }",
            json!({"c": open}),
            "justificante.pdf",
            b"%PDF-1.4 receipt",
        )
        .await;

    let b = Browser::start(true).await;
    b.goto(&format!("{server}/admin")).await;
    sign_in(&b, "manager@example.com", "a long password").await;
    b.wait_for("Mis casos abiertos").await;
    b.wait_for("Renta 2025").await;
    b.wait_for("justificante.pdf").await;
    let page = b.source().await;
    assert!(!page.contains("IVA 3T"), "a closed case is not open work");
    assert!(
        !page.contains("Caso de otra persona"),
        "nor is a colleague's"
    );
    assert!(page.contains("badge badge-new"), "{page}");
    b.check("admin-home").await;
    b.click(&format!(
        "section[aria-labelledby=home-activity-title] a[href='/admin/cases/{open}']"
    ))
    .await;
    b.wait_for_url(&format!("/admin/cases/{open}")).await;
    b.wait_for("justificante.pdf").await;
}
