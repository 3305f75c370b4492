//! The product documents' story across both UIs, in two real browsers and with mail through a
//! real SMTP server: an admin activates `portalUser` and makes a new case field a portal field;
//! staff create an organisation and a person, open a case, switch the person to portal user
//! with "send later", then send; the client accepts the invitation, opens a case with the new
//! field and a document; staff see the bell count rise without a reload, find the upload marked
//! as a client's in the case's documents and in Share, share a document without download
//! permission, and the portal shows it without a download link.

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app_with};
use crate::portal::PUBLIC;
use crate::smtp::SmtpServer;
use crate::webdriver::Browser;
use serde_json::{Value, json};
use std::time::Duration;

/// Polls the API until `probe` holds (a click's save is asynchronous).
async fn eventually(what: &str, mut probe: impl AsyncFnMut() -> bool) {
    for _ in 0..100 {
        if probe().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never happened: {what}");
}

fn field<'a>(defs: &'a Value, key: &str) -> &'a Value {
    defs["fieldDefinitions"]
        .as_array()
        .and_then(|all| all.iter().find(|d| d["key"] == key))
        .unwrap_or(&Value::Null)
}

#[tokio::test]
async fn the_product_story_across_both_uis() {
    let smtp = SmtpServer::start().await;
    let smtp_url = smtp.url();
    let app = spawn_app_with(&[
        ("PORTICO_SMTP_URL", smtp_url.as_str()),
        ("PORTICO_PUBLIC_URL", PUBLIC),
    ])
    .await;
    let server = app.server.url.clone();
    let disk = std::env::temp_dir().join(format!("portico-story-{}", std::process::id()));
    std::fs::create_dir_all(&disk).unwrap();
    std::fs::write(disk.join("modelo-036.pdf"), b"%PDF-1.4 modelo 036").unwrap();
    std::fs::write(disk.join("informe.pdf"), b"%PDF-1.4 informe trimestral").unwrap();
    let defs = |entity: &'static str| {
        let admin = &app.admin;
        async move {
            admin
                .ok(
                    "query($e: EntityKind!) { fieldDefinitions(entity: $e, includeInactive: true) { key active portalVisible portalEditable } }",
                    json!({"e": entity}),
                )
                .await
        }
    };

    // The admin: `portalUser` is switched on, and a new case field becomes a portal field.
    let b = Browser::start(true).await;
    b.goto(&format!("{server}/admin/fields/CONTACT")).await;
    b.wait_for("Acceso del personal").await;
    b.type_into("#email", ADMIN_EMAIL).await;
    b.type_into("#password", ADMIN_PASSWORD).await;
    b.click("form button[type=submit]").await;
    b.wait_for("Campos inactivos").await;
    b.click("#active-portalUser").await;
    eventually("portalUser active", async || {
        field(&defs("CONTACT").await, "portalUser")["active"] == true
    })
    .await;
    b.click("a[href='/admin/fields/CASE']").await;
    b.wait_for("Campos de casos").await;
    b.type_into("#nf-label", "Referencia fiscal").await;
    b.wait_for_value("#nf-key", "referenciaFiscal").await;
    b.click("form.card button[type=submit]").await;
    b.wait_for("Campo «Referencia fiscal» creado.").await;
    b.click("#portalVisible-referenciaFiscal").await;
    eventually("visible on the portal", async || {
        field(&defs("CASE").await, "referenciaFiscal")["portalVisible"] == true
    })
    .await;
    b.click("#portalEditable-referenciaFiscal").await;
    eventually("editable on the portal", async || {
        field(&defs("CASE").await, "referenciaFiscal")["portalEditable"] == true
    })
    .await;

    // Staff: an organisation (a wrong email is named beside its field first, nothing lost).
    b.click("nav a[href='/admin/contacts']").await;
    b.wait_for("Nuevo contacto").await;
    b.click("a[href='/admin/contacts/new']").await;
    b.wait_for("id=\"f-name\"").await;
    b.check("admin-contact-new").await;
    b.type_into("#f-name", "Gestoría Norte SL").await;
    b.type_into("#f-email", "no es un email").await;
    b.select("#f-kind", "ORGANISATION").await;
    b.click("form.record button[type=submit]").await;
    b.wait_for("id=\"f-email-error\"").await;
    b.wait_for_value("#f-name", "Gestoría Norte SL").await;
    b.type_into("#f-email", "info@gestorianorte.example").await;
    b.click("form.record button[type=submit]").await;
    b.wait_for("Personas").await;
    assert!(b.url().await.contains("/admin/contacts/"));

    // A person of that organisation.
    b.click("nav a[href='/admin/contacts']").await;
    b.wait_for("Gestoría Norte SL").await;
    b.check("admin-contacts").await;
    b.click("a[href='/admin/contacts/new']").await;
    b.wait_for("id=\"f-name\"").await;
    b.type_into("#f-name", "Lucía Pérez").await;
    b.type_into("#f-email", "lucia@example.com").await;
    b.click("form.record button[type=submit]").await;
    b.wait_for("Vincular a una organización").await;
    let lucia = b.url().await.rsplit('/').next().unwrap().to_owned();
    b.type_into("#rel-other", "Gestoría").await;
    b.wait_for("Gestoría Norte SL</button>").await;
    b.click(".matches button").await;
    b.type_into("#rel-role", "Gerente").await;
    b.click("#rel-form button[type=submit]").await;
    b.wait_for("Gerente").await;

    // Portal user, the invitation to be sent later; then sent.
    b.click("#portal-user").await;
    b.click("#send-later").await;
    b.click("#portal-form button[type=submit]").await;
    b.wait_for("Envíe la invitación cuando quiera.").await;
    b.wait_for("Sin enviar").await;
    b.check("admin-contact").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        smtp.messages()
            .iter()
            .all(|m| !m.to.iter().any(|t| t.contains("lucia@example.com"))),
        "mail before it was sent"
    );
    b.click("#send-invitation").await;
    b.wait_for("Enviada, pendiente").await;
    // Sent again (a new link; the first one stops working).
    b.click("#send-invitation").await;
    b.wait_for("Invitación enviada a lucia@example.com.").await;

    // A case for her, from her page: the client chosen already, the owner shown as the one
    // creating it; changed, and picked again by name.
    b.click("a[href^='/admin/cases/new?client=']").await;
    b.wait_for("id=\"f-subject\"").await;
    b.wait_for("Lucía Pérez").await;
    b.type_into("#f-subject", "Declaración trimestral").await;
    b.click("#f-owner button").await;
    b.type_into("#f-owner", "Admin").await;
    b.wait_for("Administrator</button>").await;
    b.click(".matches button").await;
    b.click("form.record button[type=submit]").await;
    b.wait_for("Client Connect").await;
    assert!(b.url().await.contains("/admin/cases/"));

    // The client: the invitation from the mail server, then a case with the new field and a
    // document.
    let invitation = loop {
        let mails: Vec<_> = smtp
            .messages()
            .into_iter()
            .filter(|m| m.to.iter().any(|t| t.contains("lucia@example.com")))
            .collect();
        if mails.len() >= 2 {
            break mails[1].link(&format!("{PUBLIC}/portal/invitation/"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    b.click("nav a[href='/admin/cases']").await;
    b.wait_for("Declaración trimestral").await;
    b.wait_for("id=\"bell-count\"").await;
    assert!(b.source().await.contains("data-count=\"0\""));
    b.run("window.portico_no_reload = true; return null;").await;

    let c = Browser::start(true).await;
    c.goto(&invitation.replace(PUBLIC, &server)).await;
    c.type_into("#password", "a portal password").await;
    c.type_into("#confirm", "a portal password").await;
    c.click("form.stack button[type=submit]").await;
    c.wait_for("Casos abiertos").await;
    c.goto(&format!("{server}/portal/cases/new")).await;
    c.wait_for("Referencia fiscal").await;
    c.type_into("#f-subject", "Alta en Hacienda").await;
    c.type_into("#f-referenciaFiscal", "B12345678").await;
    c.choose_files("#f-_files", &[disk.join("modelo-036.pdf")])
        .await;
    c.click("form.wide button[type=submit]").await;
    c.wait_for("Se ha añadido 1 documento.").await;
    let portal_case = c.url().await.rsplit('/').next().unwrap().to_owned();
    let portal_case = portal_case.split(['?', '#']).next().unwrap().to_owned();

    // Staff: the bell counts without a reload; its link opens the case.
    b.wait_until("const c = document.getElementById('bell-count'); return c !== null && c.dataset.count !== '0';")
        .await;
    assert_eq!(
        b.run("return window.portico_no_reload === true;").await,
        json!(true)
    );
    b.click("#bell").await;
    b.wait_for("id=\"bell-list\"").await;
    b.check("admin-notifications").await;
    // The bell writes its times as the rest of the UI does (the audit log, the lists).
    assert_eq!(
        b.run("const t = document.querySelector('#bell-list time'); return t.textContent === new Intl.DateTimeFormat(document.documentElement.lang, {dateStyle: 'medium', timeStyle: 'short'}).format(new Date(t.getAttribute('datetime')));")
            .await,
        json!(true)
    );
    // One marked read: the count goes down by one.
    let unread = b
        .run("return Number(document.getElementById('bell-count').dataset.count);")
        .await
        .as_i64()
        .unwrap();
    b.click("#bell-list li.unread button").await;
    b.wait_until(&format!(
        "return document.getElementById('bell-count').dataset.count === '{}';",
        unread - 1
    ))
    .await;
    // Opening a notification's case from the bell reads it: the count goes down once more.
    let before_open = b
        .run("return Number(document.getElementById('bell-count').dataset.count);")
        .await
        .as_i64()
        .unwrap();
    assert!(before_open > 0, "the client's upload is still unread");
    b.click(&format!(
        "#bell-list li.unread a[href='/admin/cases/{portal_case}']"
    ))
    .await;
    b.wait_for("Alta en Hacienda").await;
    b.wait_until(&format!(
        "return document.getElementById('bell-count').dataset.count === '{}';",
        before_open - 1
    ))
    .await;
    // The client's upload, marked in the documents and in Share (the activity log names the
    // file too, and may show before the documents have loaded).
    let page = b.wait_for("modelo-036.pdf</a>").await;
    assert!(page.contains("Subido por el cliente"), "{page}");
    b.wait_for_value("#f-referenciaFiscal", "B12345678").await;

    // Staff add a report and share it, without download permission.
    b.choose_files("#up-files", &[disk.join("informe.pdf")])
        .await;
    b.wait_for("informe.pdf</a>").await;
    b.wait_for("id=\"acc-").await;
    b.click(&format!("#dl-{lucia}")).await;
    b.click("#access-form button[type=submit]").await;
    eventually("download off", async || {
        let v = app
            .admin
            .ok(
                "query($c: ID!) { portalCandidates(caseId: $c) { access { canDownload } } }",
                json!({"c": portal_case}),
            )
            .await;
        v["portalCandidates"][0]["access"]["canDownload"] == false
    })
    .await;
    b.click("#tab-share").await;
    b.wait_for("Compartidos (visibles en el portal)").await;
    let page = b.source().await;
    let shared = &page[page.find("shared-title").unwrap()..];
    assert!(
        shared.contains("modelo-036.pdf") && shared.contains("client-upload"),
        "{shared}"
    );
    b.click("#share-form input[type=checkbox]").await;
    b.click("#share-form button[type=submit]").await;
    b.wait_for("1 compartidos con Lucía Pérez.").await;
    b.check("admin-case").await;
    // The shared list by name, searched, and a document taken off the portal and shared back.
    b.select("#shared-order", "NAME").await;
    b.wait_until("const l = document.querySelector('.shared'); return l !== null && l.textContent.indexOf('informe.pdf') < l.textContent.indexOf('modelo-036.pdf');")
        .await;
    b.type_into("#shared-search", "modelo").await;
    b.type_keys("#shared-search", "\u{E007}").await;
    b.wait_until("const l = document.querySelector('.shared'); return l !== null && !l.textContent.includes('informe.pdf');")
        .await;
    b.type_into("#shared-search", "").await;
    b.type_keys("#shared-search", "\u{E007}").await;
    b.wait_until("const l = document.querySelector('.shared'); return l !== null && l.textContent.includes('informe.pdf');")
        .await;
    b.click(".shared li:first-child button").await;
    b.wait_for("«informe.pdf» quitado del portal.").await;
    b.click("#share-form input[type=checkbox]").await;
    b.click("#share-form button[type=submit]").await;
    b.wait_for("1 compartidos con Lucía Pérez.").await;

    // The portal shows the report, with no way to download it.
    let docs = app
        .admin
        .ok(
            "query($c: ID!) { case(id: $c) { documents { id name } } }",
            json!({"c": portal_case}),
        )
        .await;
    let report = docs["case"]["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "informe.pdf")
        .expect("the report")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    c.goto(&format!("{server}/portal/cases/{portal_case}"))
        .await;
    let page = c.wait_for("informe.pdf").await;
    assert!(!page.contains(&format!("/portal/files/{report}")), "{page}");
    let _ = std::fs::remove_dir_all(&disk);
}
