//! Client requests as people do them in the two web UIs. Staff ask on the case screen: a
//! documents request (into a new folder named after it) and a questionnaire they also save to
//! reuse. The client, signed in from the emailed invitation, finds both under "To do", uploads
//! into one, answers the other with a mistake first, leaves and comes back to the draft, and
//! sends both. Staff see them sent, accept one and return the other with a comment, which the
//! client reads on the portal and in the email, and answers again.

use crate::admin_browser::sign_in;
use crate::portal::{PASSWORD, PUBLIC, portal_app};
use crate::webdriver::Browser;
use serde_json::json;

#[tokio::test]
async fn staff_ask_and_the_client_does_it_on_the_portal() {
    let t = portal_app().await;
    let server = t.app.server.url.clone();
    let disk = crate::helpers::TempDir::new();
    std::fs::write(disk.0.join("nomina-enero.pdf"), b"%PDF-1.4 enero").unwrap();
    let ana = t
        .create_contact(
            json!({"name": "Ana Pérez", "email": "ana@example.com", "portalUser": true}),
        )
        .await;
    let case = t
        .create_case(json!({"subject": "Renta 2025", "client": ana}))
        .await;
    t.set_access(&case, &ana, true, true).await;

    // Staff ask for documents, then for answers, on the case screen.
    let b = Browser::start(true).await;
    b.goto(&format!("{server}/admin/cases/{case}")).await;
    sign_in(&b, "manager@example.com", "a long password").await;
    b.wait_for("Nada pedido todavía").await;
    b.click("#ask-client").await;
    b.wait_for("A quién se pide").await;
    b.click(&format!("#rq-to-{ana}")).await;
    b.type_into("#rq-title", "Nóminas de 2025").await;
    b.type_into("#rq-instructions", "Las doce del año, en PDF.")
        .await;
    // A date field's typing order follows the browser's locale; the picked date is the same.
    b.run("const i = document.getElementById('rq-due'); i.value = '2030-01-31'; i.dispatchEvent(new Event('input', { bubbles: true })); return null;")
        .await;
    b.click("#new-request button[type=submit]").await;
    b.wait_for("Petición «Nóminas de 2025» enviada al cliente.")
        .await;
    b.click("#ask-client").await;
    b.wait_for("A quién se pide").await;
    b.click(&format!("#rq-to-{ana}")).await;
    b.click("#rq-kind-QUESTIONS").await;
    b.type_into("#rq-title", "Datos de la renta").await;
    b.type_into("#q-0-label", "Año del ejercicio").await;
    b.select("#q-0-type", "NUMBER").await;
    b.click("#add-question").await;
    b.type_into("#q-1-label", "Régimen").await;
    b.select("#q-1-type", "SELECT").await;
    b.type_into("#q-1-options", "General, Módulos").await;
    b.type_into("#rq-template-name", "Renta anual").await;
    b.click("#save-questionnaire").await;
    b.wait_for("Cuestionario «Renta anual» guardado.").await;
    b.click("#new-request button[type=submit]").await;
    b.wait_for("Petición «Datos de la renta» enviada al cliente.")
        .await;
    b.wait_for("Esperando al cliente").await;
    b.check("admin-case-requests").await;
    // The form as staff fill it in, before it is sent (a third request, then cancelled).
    b.click("#ask-client").await;
    b.wait_for("A quién se pide").await;
    b.click("#rq-kind-QUESTIONS").await;
    b.select("#rq-template", &{
        let list = t
            .manager
            .ok("{ questionnaireTemplates { id name } }", json!({}))
            .await;
        assert_eq!(list["questionnaireTemplates"][0]["name"], "Renta anual");
        list["questionnaireTemplates"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    })
    .await;
    // Picking the saved questionnaire fills in its questions and the title.
    b.wait_for_value("#q-1-label", "Régimen").await;
    b.wait_for_value("#rq-title", "Renta anual").await;
    b.element_screenshot("#new-request", "admin-new-request")
        .await;
    b.click("#new-request button.link").await;
    // The documents go into a folder named after their request.
    let folders = t
        .manager
        .ok(
            "query($c: ID!) { case(id: $c) { folders { name } } }",
            json!({"c": case}),
        )
        .await;
    assert_eq!(
        folders["case"]["folders"],
        json!([{"name": "Nóminas de 2025"}])
    );

    // The client signs in from the invitation and finds both under "To do".
    let invitation = t
        .mail("ana@example.com", 1)
        .await
        .link(&format!("{PUBLIC}/portal/invitation/"));
    let asked = t.mail("ana@example.com", 3).await.text();
    assert!(
        asked.contains("Nóminas de 2025") && asked.contains("31/01/2030"),
        "{asked}"
    );
    let c = Browser::start(true).await;
    c.goto(&invitation.replace(PUBLIC, &server)).await;
    c.type_into("#password", PASSWORD).await;
    c.type_into("#confirm", PASSWORD).await;
    c.click("form.stack button[type=submit]").await;
    c.wait_for("Pendiente").await;
    let home = c.source().await;
    assert!(
        home.contains("Nóminas de 2025") && home.contains("Datos de la renta"),
        "{home}"
    );

    // Each item of "To do" opens its request's page.
    c.click("ul.cards a[href^='/portal/requests/']").await;
    c.wait_for_url("/portal/requests/").await;
    let requests = t
        .manager
        .ok(
            "query($c: ID!) { clientRequests(caseId: $c) { id kind } }",
            json!({"c": case}),
        )
        .await;
    let page_of = |kind: &str| {
        let id = requests["clientRequests"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == kind)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        format!("{server}/portal/requests/{id}")
    };
    let (docs_page, questions_page) = (page_of("DOCUMENTS"), page_of("QUESTIONS"));

    // Documents: upload one, then send.
    c.goto(&docs_page).await;
    c.wait_for("Las doce del año, en PDF.").await;
    c.check("portal-request-documents").await;
    c.choose_files("#files", &[disk.0.join("nomina-enero.pdf")])
        .await;
    c.click("form[enctype='multipart/form-data'] button[type=submit]")
        .await;
    c.wait_for("Se ha añadido 1 documento.").await;
    assert!(c.source().await.contains("nomina-enero.pdf"));
    c.click("button[value=submit]").await;
    c.wait_for("Enviado. Gracias").await;

    // Questions: a mistake first (named beside its question, the rest kept), then a draft
    // kept between visits, then sent.
    c.goto(&questions_page).await;
    c.wait_for("Año del ejercicio").await;
    let year = c
        .run("return document.querySelector('input[id^=f-]').id;")
        .await;
    let year = format!("#{}", year.as_str().unwrap());
    c.type_into(&year, "2025.5").await;
    c.select("select[id^=f-]", "Módulos").await;
    c.click("button[value=submit]").await;
    let wrong = c.wait_for("Escriba un número entero.").await;
    assert!(wrong.contains("Revise estos campos"), "{wrong}");
    c.wait_for_value(&year, "2025.5").await;
    c.wait_for_value("select[id^=f-]", "Módulos").await;
    c.check("portal-request-questions").await;
    c.type_into(&year, "2025").await;
    c.click("button[value=save]").await;
    c.wait_for("Borrador guardado.").await;
    c.goto(&format!("{server}/portal")).await;
    c.goto(&questions_page).await;
    c.wait_for_value(&year, "2025").await;
    c.wait_for_value("select[id^=f-]", "Módulos").await;
    c.click("button[value=submit]").await;
    c.wait_for("Enviado. Gracias").await;

    // Staff see both sent: one accepted, one returned with a comment.
    b.refresh().await;
    b.wait_for("Entregada por el cliente").await;
    b.wait_for("Módulos").await;
    b.click(".request-actions button[aria-expanded]").await;
    b.wait_for("¿Qué debe volver a hacer el cliente?").await;
    let textarea = b
        .run("return document.querySelector('.return-form textarea').id;")
        .await;
    let textarea = format!("#{}", textarea.as_str().unwrap());
    b.type_into(&textarea, "Falta la nómina de febrero.").await;
    b.click(".return-form button[type=submit]").await;
    b.wait_for("devuelta al cliente.").await;
    b.click(".request-actions button:not([aria-expanded]):not(.link)")
        .await;
    b.wait_for("aceptada.").await;
    b.wait_for("Aceptada").await;
    b.wait_for("Devuelta al cliente").await;
    b.element_screenshot("#requests", "admin-case-requests-decided")
        .await;
    b.goto(&format!("{server}/admin")).await;
    b.wait_for("Esperando a clientes").await;
    b.check("admin-home-requests").await;

    // The client reads the comment on the portal and in the email, and can act again.
    let returned = t.mail("ana@example.com", 5).await.text();
    assert!(
        returned.contains("Falta la nómina de febrero."),
        "{returned}"
    );
    c.goto(&format!("{server}/portal")).await;
    c.wait_for("Devuelta").await;
    c.wait_for("Falta la nómina de febrero.").await;
}
