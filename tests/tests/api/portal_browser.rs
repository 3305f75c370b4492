//! The client portal in a real browser, from the client's side, with the invitation read from
//! the test's SMTP server: accept it, switch organisation, filter cases, open one with a field an
//! admin just made a portal field, upload into a staff folder, see a shared document without a
//! download link and then download it once staff allow it, open a case with an attachment,
//! change the password, switch language, sign out, and reset a forgotten password. Every page is checked with axe-core and photographed at desktop and phone width
//! (docs/screenshots/). The same walk runs once with JavaScript off: the pages need none.

use crate::portal::{PUBLIC, portal_app};
use crate::webdriver::Browser;
use serde_json::json;

/// Files the client picks from their disk.
fn files_on_disk(javascript: bool) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("portico-walk-{}-{javascript}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("justificante.pdf"), b"%PDF-1.4 transferencia").unwrap();
    std::fs::write(dir.join("recibo.pdf"), b"%PDF-1.4 recibo de octubre").unwrap();
    dir
}

async fn walk(javascript: bool) {
    let t = portal_app().await;
    let server = t.app.server.url.clone();
    let acme = t
        .create_contact(json!({"name": "Acme Ibérica", "kind": "ORGANISATION"}))
        .await;
    let beta = t
        .create_contact(json!({"name": "Beta Logística", "kind": "ORGANISATION"}))
        .await;
    let carla = t
        .create_contact(json!({"name": "Carla Gómez", "email": "carla@example.com"}))
        .await;
    for org in [&acme, &beta] {
        t.manager
            .ok(
                "mutation($i: ID!, $o: ID!) { addRelationship(individualId: $i, organisationId: $o) { id } }",
                json!({"i": carla, "o": org}),
            )
            .await;
    }
    let case = t
        .create_case(json!({"subject": "Factura duplicada de octubre", "description": "Se cobró dos veces el mismo recibo.", "client": acme}))
        .await;
    let beta_case = t
        .create_case(json!({"subject": "Auditoría anual de Beta", "client": beta}))
        .await;
    for c in [&case, &beta_case] {
        t.link(c, &carla).await;
    }
    // Access without download for now; staff allow it later in the walk.
    t.set_access(&case, &carla, true, false).await;
    t.mail("carla@example.com", 1).await;
    t.set_access(&beta_case, &carla, true, false).await;
    // The second grant's email carries a fresh invitation; the first one's link works too
    // (first_link.rs opens it): the walk uses the one read last.
    let link = t
        .mail("carla@example.com", 2)
        .await
        .link(&format!("{PUBLIC}/portal/invitation/"));
    let folder = t
        .manager
        .ok(
            "mutation($c: ID!) { createFolder(caseId: $c, name: \"Documentos del cliente\") { id } }",
            json!({"c": case}),
        )
        .await["createFolder"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let contract = b"%PDF-1.4 contrato firmado".to_vec();
    let shared = t
        .manager
        .upload(
            "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }",
            json!({"c": case}),
            "contrato.pdf",
            &contract,
        )
        .await["uploadDocument"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.manager
        .ok(
            "mutation($c: ID!, $p: ID!, $d: [ID!]!) { shareDocuments(caseId: $c, contactId: $p, documentIds: $d) { name } }",
            json!({"c": case, "p": carla, "d": [shared]}),
        )
        .await;
    // A field staff fill in but clients do not see yet.
    t.app
        .admin
        .ok(
            r#"mutation { createFieldDefinition(input: {entity: CASE, key: "fileReference", label: "Expediente", type: TEXT}) { key } }"#,
            json!({}),
        )
        .await;
    t.manager
        .ok(
            "mutation($c: ID!) { updateCase(id: $c, input: {fileReference: \"EXP-2026-114\"}) { id } }",
            json!({"c": case}),
        )
        .await;
    let link = link.replace(PUBLIC, &server);
    let disk = files_on_disk(javascript);
    let b = Browser::start(javascript).await;
    let shots = javascript;

    // The invitation: the password rule is stated before the first try.
    b.goto(&link).await;
    let page = b.source().await;
    assert!(page.contains("Al menos 10 caracteres"), "{page}");
    if shots {
        b.check("portal-invitation").await;
    }
    b.type_into("#password", "a portal password").await;
    b.type_into("#confirm", "a portal password").await;
    b.click("form.stack button[type=submit]").await;
    b.wait_for("Casos abiertos").await;
    assert!(b.url().await.ends_with("/portal"), "{}", b.url().await);
    let home = b.source().await;
    assert!(home.contains("Factura duplicada de octubre") && !home.contains("Auditoría anual"));
    // The indicators at a glance, under the open cases.
    assert!(
        home.contains("Casos por estado") && home.contains("role=\"img\""),
        "{home}"
    );
    if shots {
        b.check("portal-home").await;
    }

    // Two organisations: the header switches between them and every page follows.
    b.select("#organisation", &beta).await;
    b.click("form.org button").await;
    let page = b.wait_for("Auditoría anual de Beta").await;
    assert!(!page.contains("Factura duplicada de octubre"));
    b.select("#organisation", &acme).await;
    b.click("form.org button").await;
    b.wait_for("Factura duplicada de octubre").await;

    // The case list, filtered with its form; the filter lives in the address.
    b.goto(&format!("{server}/portal/cases")).await;
    b.select("#status", "OPEN").await;
    b.click("form.filters button").await;
    // The unfiltered list shows "1 caso" too: the address says the filter was applied.
    b.wait_for_url("status=OPEN").await;
    b.wait_for("1 caso").await;
    if shots {
        b.check("portal-cases").await;
    }

    // An admin ticks "Portal field" on the file reference: the case page shows it.
    t.app
        .admin
        .ok(
            r#"mutation { updateFieldDefinition(entity: CASE, key: "fileReference", input: {portalVisible: true}) { key } }"#,
            json!({}),
        )
        .await;
    b.click(&format!("a[href='/portal/cases/{case}']")).await;
    let page = b.wait_for("Se cobró dos veces").await;
    assert!(
        page.contains("Expediente") && page.contains("EXP-2026-114"),
        "{page}"
    );
    // Shared without "can download": listed, no link.
    assert!(page.contains("contrato.pdf") && page.contains("Pídanos una copia"));
    assert!(!page.contains("/portal/files/"), "{page}");

    // Into the staff's folder, with the upload form.
    b.select("#folder", &folder).await;
    b.choose_files("#files", &[disk.join("justificante.pdf")])
        .await;
    b.click("form[action$='/documents'] button").await;
    let page = b.wait_for("Se ha añadido 1 documento.").await;
    assert!(
        page.contains("justificante.pdf")
            && page.contains("Documentos del cliente")
            && page.contains("Subido por usted"),
        "{page}"
    );
    if shots {
        b.check("portal-case").await;
    }

    // Staff allow downloads: the link appears and the file arrives whole.
    t.set_access(&case, &carla, true, true).await;
    b.goto(&format!("{server}/portal/cases/{case}")).await;
    b.click(&format!("a[href='/portal/files/{shared}']")).await;
    assert_eq!(b.downloaded("contrato.pdf").await, contract);

    // A case that is not hers reads as one that does not exist.
    b.goto(&format!("{server}/portal/cases/987654")).await;
    b.wait_for("Página no encontrada").await;
    if shots {
        b.check("portal-not-found").await;
    }

    b.goto(&format!("{server}/portal/indicators")).await;
    let page = b.wait_for("Casos por estado").await;
    assert!(page.contains("role=\"img\""), "{page}");
    if shots {
        b.check("portal-indicators").await;
    }

    // A new case with a document attached.
    b.goto(&format!("{server}/portal/cases/new")).await;
    if shots {
        b.check("portal-new-case").await;
    }
    // Sent without a subject: the errors beside the field and summed up at the top.
    b.type_into("#f-description", "Nos mudamos en diciembre.")
        .await;
    b.click("form.wide button[type=submit]").await;
    b.wait_for("id=\"e-subject\"").await;
    if shots {
        b.check("portal-new-case-errors").await;
    }
    b.type_into("#f-subject", "Cambio de domicilio").await;
    b.choose_files("#f-_files", &[disk.join("recibo.pdf")])
        .await;
    b.click("form.wide button[type=submit]").await;
    // (The form with errors shows the description too: wait for the new case's page.)
    let page = b.wait_for("Se ha añadido 1 documento.").await;
    assert!(
        page.contains("recibo.pdf") && page.contains("Nos mudamos en diciembre."),
        "{page}"
    );
    // It leads with the confirmation: the number, and what happens next.
    assert!(page.contains("Hemos recibido su caso CAS-"), "{page}");
    if shots {
        b.check("portal-case-opened").await;
    }

    // The account: a new password (the current one proves it is her).
    b.goto(&format!("{server}/portal/account")).await;
    if shots {
        b.check("portal-account").await;
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
        b.check("portal-login").await;
    }

    // A forgotten password: the link from the sign-in page, the email, a new password.
    let before = t.to("carla@example.com").len();
    b.click("a[href='/portal/reset']").await;
    b.wait_for("Reset your password").await;
    if shots {
        b.check("portal-reset-request").await;
    }
    b.type_into("#email", "carla@example.com").await;
    b.click("form[action='/portal/reset'] button").await;
    b.wait_for("a link is on its way").await;
    let reset = t
        .mail("carla@example.com", before + 1)
        .await
        .link(&format!("{PUBLIC}/portal/reset/"))
        .replace(PUBLIC, &server);
    b.goto(&reset).await;
    if shots {
        b.check("portal-reset").await;
    }
    b.type_into("#password", "the newest portal password").await;
    b.type_into("#confirm", "the newest portal password").await;
    b.click("form.stack button[type=submit]").await;
    b.wait_for("Open cases").await;
    assert!(b.url().await.ends_with("/portal"), "{}", b.url().await);
    let _ = std::fs::remove_dir_all(&disk);
}

#[tokio::test]
async fn a_client_walks_the_portal_in_a_browser() {
    walk(true).await;
}

#[tokio::test]
async fn the_portal_works_with_javascript_off() {
    walk(false).await;
}
