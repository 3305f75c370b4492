//! A field in both languages (issue 19): an admin gives its label and help text in Spanish and
//! English, and each client sees their own language on the portal (an admin's field used to
//! show in English on the Spanish portal). A language left out falls back to the label given.

use crate::helpers::code;
use crate::portal::{PASSWORD, portal_app};
use crate::webdriver::Browser;
use serde_json::json;

#[tokio::test]
async fn a_field_labelled_in_both_languages_reads_in_each_on_the_portal() {
    let t = portal_app().await;
    let admin = &t.app.admin;
    let made = admin
        .ok(
            r#"mutation { createFieldDefinition(input: {entity: CASE, key: "taxYear", label: "Tax year", type: NUMBER,
                portalVisible: true, portalEditable: true, help: "The year the return is for",
                labels: {es: "Ejercicio fiscal", en: "Tax year"}, helps: {es: "El año de la declaración"}}) {
                label labels { es en } help helps { es en } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        made["createFieldDefinition"],
        json!({"label": "Tax year", "labels": {"es": "Ejercicio fiscal", "en": "Tax year"},
               "help": "The year the return is for", "helps": {"es": "El año de la declaración", "en": null}})
    );
    // A change sets the languages given and keeps the others; an empty text clears one.
    let changed = admin
        .ok(
            r#"mutation { updateFieldDefinition(entity: CASE, key: "taxYear", input: {labels: {en: "Fiscal year"}, helps: {es: ""}}) {
                labels { es en } helps { es en } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        changed["updateFieldDefinition"],
        json!({"labels": {"es": "Ejercicio fiscal", "en": "Fiscal year"}, "helps": {"es": null, "en": null}})
    );
    let long = "x".repeat(201);
    let e = admin
        .err(
            "mutation($l: String) { updateFieldDefinition(entity: CASE, key: \"taxYear\", input: {labels: {es: $l}}) { key } }",
            json!({"l": long}),
        )
        .await;
    assert_eq!(
        (code(&e), e["extensions"]["field"].as_str()),
        ("VALIDATION", Some("labels.es"))
    );
    admin
        .ok(
            r#"mutation { updateFieldDefinition(entity: CASE, key: "taxYear", input: {helps: {es: "El año de la declaración", en: "The year the return is for"}}) { key } }"#,
            json!({}),
        )
        .await;

    // A list field whose options read in each language; a rename carries its labels along.
    admin
        .ok(
            r#"mutation { createFieldDefinition(input: {entity: CASE, key: "channel", label: "Channel", type: SELECT,
                options: ["Phone", "Office"], portalVisible: true, portalEditable: true,
                labels: {es: "Canal"}, optionLabels: [{option: "Phone", es: "Teléfono"}, {option: "Office", es: "Despacho", en: "Office visit"}]}) { key } }"#,
            json!({}),
        )
        .await;
    let e = admin
        .err(
            r#"mutation { updateFieldDefinition(entity: CASE, key: "channel", input: {optionLabels: [{option: "Fax", es: "Fax"}]}) { key } }"#,
            json!({}),
        )
        .await;
    assert_eq!(e["extensions"]["field"], "optionLabels");
    let renamed = admin
        .ok(
            r#"mutation { renameFieldOption(entity: CASE, key: "channel", from: "Phone", to: "Telephone") { options optionLabels { option es en } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        renamed["renameFieldOption"],
        json!({"options": ["Telephone", "Office"], "optionLabels": [
            {"option": "Office", "es": "Despacho", "en": "Office visit"},
            {"option": "Telephone", "es": "Teléfono", "en": null}]})
    );

    let ana = t
        .create_contact(json!({"name": "Ana", "email": "ana@example.com", "portalUser": true}))
        .await;
    let _ = ana;
    let link = t
        .mail("ana@example.com", 1)
        .await
        .link(&format!("{}/portal/invitation/", crate::portal::PUBLIC));
    t.accept(&link).await;

    let b = Browser::start(true).await;
    let server = t.app.server.url.clone();
    b.goto(&format!("{server}/portal/login")).await;
    b.type_into("#email", "ana@example.com").await;
    b.type_into("#password", PASSWORD).await;
    b.click("form.stack button[type=submit]").await;
    b.wait_for("nav").await;
    b.goto(&format!("{server}/portal/cases/new")).await;
    b.wait_for("Ejercicio fiscal").await;
    let page = b.source().await;
    assert!(page.contains("El año de la declaración"), "{page}");
    assert!(
        !page.contains("Fiscal year") && !page.contains("Tax year"),
        "{page}"
    );
    assert!(
        page.contains(">Canal") && page.contains("Teléfono") && page.contains("Despacho"),
        "{page}"
    );
    b.check("portal-new-case-field-es").await;
    // The language switch, as a client presses it.
    b.click("button[lang=en]").await;
    b.wait_for("Fiscal year").await;
    let page = b.source().await;
    assert!(page.contains("The year the return is for"), "{page}");
    assert!(!page.contains("Ejercicio fiscal"), "{page}");
    // English: the admin's English where given, else the option as written.
    assert!(
        page.contains("Office visit") && page.contains("Telephone"),
        "{page}"
    );
    assert!(!page.contains("Despacho"), "{page}");

    // The admin edits the languages in the field editor, as they would.
    let a = Browser::start(true).await;
    a.goto(&format!("{server}/admin/fields/CASE")).await;
    crate::admin_browser::sign_in(
        &a,
        crate::helpers::ADMIN_EMAIL,
        crate::helpers::ADMIN_PASSWORD,
    )
    .await;
    a.click("#edit-channel").await;
    a.wait_for_value("#fe-label-es", "Canal").await;
    a.click("details.option-languages summary").await;
    a.wait_for_value("#opt-es-0", "Teléfono").await;
    a.type_into("#opt-en-0", "Phone call").await;
    a.type_into("#fe-label-en", "Channel used").await;
    a.click("#field-editor button[type=submit]").await;
    a.wait_for("«Canal» guardado.").await;
    let d = t
        .app
        .admin
        .ok(
            "{ fieldDefinitions(entity: CASE) { key labels { es en } optionLabels { option es en } } }",
            json!({}),
        )
        .await;
    let channel = d["fieldDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "channel")
        .unwrap()
        .clone();
    assert_eq!(
        channel["labels"],
        json!({"es": "Canal", "en": "Channel used"})
    );
    assert_eq!(
        channel["optionLabels"][1],
        json!({"option": "Telephone", "es": "Teléfono", "en": "Phone call"})
    );
    a.check("admin-field-languages").await;
}
