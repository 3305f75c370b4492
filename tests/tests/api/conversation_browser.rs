//! The conversation as people have it, in two real browsers at once (issue 21). Staff write
//! an internal note and a reply with a link on the case screen; the client, signed in from
//! the emailed invitation, finds "New messages" on the portal home, reads only the reply (the
//! link clickable), and answers with an attachment and some HTML, which both sides show as
//! the text typed. The staff screen, never reloaded, shows the answer and the bell rises.
//! The client then chooses, on the account page, to hear of status changes right away.

use crate::admin_browser::sign_in;
use crate::portal::{PASSWORD, PUBLIC, portal_app};
use crate::webdriver::Browser;
use serde_json::json;

#[tokio::test]
async fn staff_and_client_talk_in_their_browsers() {
    let t = portal_app().await;
    let server = t.app.server.url.clone();
    let disk = crate::helpers::TempDir::new();
    std::fs::write(disk.0.join("nomina-marzo.pdf"), b"%PDF-1.4 marzo").unwrap();
    std::fs::write(disk.0.join("borrador.pdf"), b"%PDF-1.4 borrador").unwrap();
    let ana = t
        .create_contact(
            json!({"name": "Ana Pérez", "email": "ana@example.com", "portalUser": true}),
        )
        .await;
    let case = t
        .create_case(json!({"subject": "Renta 2025", "client": ana}))
        .await;
    t.set_access(&case, &ana, true, true).await;

    // Staff: an internal note, then a reply with a link and a file.
    let b = Browser::start(true).await;
    b.goto(&format!("{server}/admin/cases/{case}")).await;
    sign_in(&b, "manager@example.com", "a long password").await;
    b.wait_for("Todavía no hay mensajes.").await;
    b.click("#to-note").await;
    b.type_into("#message-body", "Ojo: falta la nómina de marzo.")
        .await;
    b.click("form.compose button[type=submit]").await;
    b.wait_for("Nota guardada").await;
    b.wait_for("Nota interna").await;
    b.click("#to-client").await;
    b.type_into(
        "#message-body",
        "Hola Ana:\nle dejo el borrador. La guía: https://ejemplo.es/guia-renta.",
    )
    .await;
    b.choose_files("#message-files", &[disk.0.join("borrador.pdf")])
        .await;
    b.click("form.compose button[type=submit]").await;
    b.wait_for("Respuesta enviada").await;
    b.wait_for("Aún sin leer por Ana Pérez").await;
    b.element_screenshot("#conversation", "admin-case-conversation")
        .await;

    // The client signs in from the invitation: the new message is on the portal home.
    let invitation = t
        .mail("ana@example.com", 1)
        .await
        .link(&format!("{PUBLIC}/portal/invitation/"));
    let c = Browser::start(true).await;
    c.goto(&invitation.replace(PUBLIC, &server)).await;
    c.type_into("#password", PASSWORD).await;
    c.type_into("#confirm", PASSWORD).await;
    c.click("form.stack button[type=submit]").await;
    c.wait_for("Mensajes nuevos").await;
    c.wait_for("1 mensaje nuevo").await;
    c.check("portal-home-messages").await;
    c.click(&format!("a[href='/portal/cases/{case}#conversation']"))
        .await;
    c.wait_for("le dejo el borrador").await;
    let page = c.source().await;
    assert!(
        !page.contains("falta la nómina"),
        "the note reached the portal"
    );
    assert!(
        page.contains("<a href=\"https://ejemplo.es/guia-renta\" rel=\"noopener noreferrer nofollow\">https://ejemplo.es/guia-renta</a>."),
        "{page}"
    );
    assert!(page.contains("borrador.pdf"));

    // She answers with a file and some HTML: shown as the text she typed.
    let typed = "Gracias. <b>Adjunto</b> la nómina <script>alert(1)</script>";
    c.type_into("#message-body", typed).await;
    c.choose_files("#message-files", &[disk.0.join("nomina-marzo.pdf")])
        .await;
    c.click("#conversation-section form button[type=submit]")
        .await;
    c.wait_for("Hemos recibido su mensaje").await;
    let shown = c
        .run("const b = [...document.querySelectorAll('.message-body')].pop(); return [b.textContent, b.querySelectorAll('b, script').length];")
        .await;
    assert_eq!(shown, json!([typed, 0]));
    c.check("portal-case-conversation").await;

    // Staff see it without reloading, as text, and the bell rises.
    b.wait_for("la nómina &lt;script&gt;alert(1)&lt;/script&gt;")
        .await;
    let staff_shown = b
        .run("const m = [...document.querySelectorAll('#conversation .message-body')].pop(); return [m.textContent, m.querySelectorAll('b, script').length];")
        .await;
    assert_eq!(staff_shown, json!([typed, 0]));
    b.wait_for("nomina-marzo.pdf").await;
    b.wait_for("Leído por Ana Pérez").await;
    let count = b
        .run("return document.getElementById('bell-count').dataset.count;")
        .await;
    assert_ne!(count, json!("0"), "the bell did not rise");
    b.check("admin-case-conversation-answered").await;
    // Her message waited on the manager's home until the case was opened: now it is read.
    b.goto(&format!("{server}/admin")).await;
    b.wait_for("No hay mensajes sin leer en sus casos.").await;

    // Her notices: status changes right away from now on.
    c.goto(&format!("{server}/portal/account")).await;
    c.wait_for("Avisos por correo").await;
    c.click("#news-status_changed-now").await;
    c.click("form[action='/portal/account/notices'] button[type=submit]")
        .await;
    c.wait_for("Hemos guardado sus avisos por correo.").await;
    let chosen = c
        .run("return document.getElementById('news-status_changed-now').checked;")
        .await;
    assert_eq!(chosen, json!(true));
    c.check("portal-account-notices").await;
    c.element_screenshot(
        "section[aria-labelledby='notices-heading']",
        "portal-account-notices-section",
    )
    .await;
    let settings = t
        .app
        .portal()
        .with_token(
            t.app
                .portal()
                .ok(
                    "mutation($p: String!) { login(email: \"ana@example.com\", password: $p) { token } }",
                    json!({"p": PASSWORD}),
                )
                .await["login"]["token"]
                .as_str()
                .unwrap(),
        )
        .ok("{ notificationSettings { kind delivery } }", json!({}))
        .await;
    assert!(
        settings
            .to_string()
            .contains("{\"delivery\":\"NOW\",\"kind\":\"STATUS_CHANGED\"}")
            || settings
                .to_string()
                .contains("{\"kind\":\"STATUS_CHANGED\",\"delivery\":\"NOW\"}"),
        "{settings}"
    );
}
