//! What a status or stage option means travels with the option, not its label. The portal
//! home listed open cases as those not labelled "Closed" and a new case started "Open", yet
//! admins may rename every option: renamed, the home showed closed cases and new cases
//! failed. Here every status option is renamed, then the home, a new portal case, a staff
//! case and the indicators are checked; then the admin moves the meaning itself.

use crate::helpers::code;
use crate::portal::{PortalApp, portal_app};
use crate::portal_pages::{Browser, a_client_with_a_case};
use serde_json::{Value, json};

const STATUS: &str = r#"{ fieldDefinitions(entity: CASE) { key options optionValues defaultOption closedOptions closable optionsFixed } }"#;
const UPDATE: &str = "mutation($e: EntityKind!, $k: String!, $i: UpdateFieldDefinitionInput!) { updateFieldDefinition(entity: $e, key: $k, input: $i) { defaultOption closedOptions } }";
const RENAME: &str = "mutation($f: String!, $t: String!) { renameFieldOption(entity: CASE, key: \"status\", from: $f, to: $t) { key } }";
const INDICATORS: &str = "{ indicators { key buckets { label count closed } } }";

async fn status_definition(t: &PortalApp) -> Value {
    let defs = t.app.admin.ok(STATUS, json!({})).await;
    defs["fieldDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "status")
        .cloned()
        .unwrap()
}

async fn staff_case_status(t: &PortalApp, subject: &str) -> Value {
    t.manager
        .ok(
            "mutation($i: CreateCaseInput!) { createCase(input: $i) { status } }",
            json!({"i": {"subject": subject}}),
        )
        .await["createCase"]["status"]
        .clone()
}

#[tokio::test]
async fn renaming_every_status_keeps_the_home_new_cases_and_indicators_right() {
    let t = portal_app().await;
    let (carla, open_case) = a_client_with_a_case(&t).await;
    let carla_portal = t.accept_mailed("carla@example.com", 1).await;
    let closed_case = t
        .create_case(json!({"subject": "Ya resuelto", "status": "CLOSED"}))
        .await;
    t.link(&closed_case, &carla).await;
    t.set_access(&closed_case, &carla, true, false).await;

    // As shipped: Open is the default and Closed the one closed option.
    let d = status_definition(&t).await;
    assert_eq!(d["defaultOption"], "Open", "{d}");
    assert_eq!(d["closedOptions"], json!(["Closed"]), "{d}");
    assert_eq!(d["closable"], true);
    assert_eq!(d["optionsFixed"], false);

    // The admin renames every option, as a Spanish office would.
    for (from, to) in [
        ("Open", "Abierto"),
        ("In Progress", "En curso"),
        ("Waiting for Response", "Esperando respuesta"),
        ("Closed", "Terminado"),
    ] {
        t.app.admin.ok(RENAME, json!({"f": from, "t": to})).await;
    }
    let d = status_definition(&t).await;
    assert_eq!(d["defaultOption"], "Abierto", "{d}");
    assert_eq!(d["closedOptions"], json!(["Terminado"]), "{d}");

    // The portal home lists the open case and not the closed one.
    let mut b = Browser::new(&t.app.server.url);
    b.sign_in("carla@example.com").await;
    let home = b.get("/portal").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Factura duplicada"), "{}", home.body);
    assert!(!home.body.contains("Ya resuelto"), "{}", home.body);

    // A client's new case and a staff user's take the renamed default.
    let made = carla_portal
        .ok(
            "mutation { createCase(input: {subject: \"Nuevo trámite\"}) { id status } }",
            json!({}),
        )
        .await;
    assert_eq!(made["createCase"]["status"], "ABIERTO", "{made}");
    assert_eq!(staff_case_status(&t, "Interno").await, "ABIERTO");

    // The indicators count by the renamed options and say which are closed.
    let ind = carla_portal.ok(INDICATORS, json!({})).await;
    let cases = ind["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "casesByStatus")
        .unwrap()["buckets"]
        .clone();
    assert_eq!(
        cases,
        json!([
            {"label": "Abierto", "count": 2, "closed": false},
            {"label": "En curso", "count": 0, "closed": false},
            {"label": "Esperando respuesta", "count": 0, "closed": false},
            {"label": "Terminado", "count": 1, "closed": true},
        ]),
        "{ind}"
    );

    // The admin moves the meaning itself: waiting counts as closed, new cases start in
    // progress. The home and new cases follow.
    let changed = t
        .app
        .admin
        .ok(
            UPDATE,
            json!({"e": "CASE", "k": "status", "i": {
                "defaultOption": "En curso",
                "closedOptions": ["Esperando respuesta", "Terminado"],
            }}),
        )
        .await;
    assert_eq!(
        changed["updateFieldDefinition"],
        json!({"defaultOption": "En curso", "closedOptions": ["Esperando respuesta", "Terminado"]})
    );
    assert_eq!(staff_case_status(&t, "Otro").await, "EN_CURSO");
    t.manager
        .ok(
            "mutation($id: ID!) { updateCase(id: $id, input: {status: ESPERANDO_RESPUESTA}) { id } }",
            json!({"id": open_case}),
        )
        .await;
    let home = b.get("/portal").await;
    assert!(!home.body.contains("Factura duplicada"), "{}", home.body);
    assert!(home.body.contains("Nuevo trámite"), "{}", home.body);
}

#[tokio::test]
async fn a_meaning_that_cannot_hold_is_refused_and_names_its_field() {
    let t = portal_app().await;
    let admin = &t.app.admin;
    admin
        .ok(
            r#"mutation { createFieldDefinition(input: {entity: CASE, key: "priority", label: "Priority", type: SELECT, options: ["Low", "High"], defaultOption: "Low"}) { key } }"#,
            json!({}),
        )
        .await;
    // A custom select's default applies to new records too.
    let made = t
        .manager
        .ok(
            "mutation { createCase(input: {subject: \"Con prioridad\"}) { priority } }",
            json!({}),
        )
        .await;
    assert_eq!(made["createCase"]["priority"], "LOW", "{made}");

    let refused = |entity: &'static str, key: &'static str, input: Value| {
        let admin = admin.clone();
        async move {
            admin
                .err(UPDATE, json!({"e": entity, "k": key, "i": input}))
                .await
        }
    };
    for (entity, key, input, field) in [
        // Only a status or a stage can mean closed.
        (
            "CASE",
            "priority",
            json!({"closedOptions": ["High"]}),
            "closedOptions",
        ),
        // A default or closed option must be one of the options.
        (
            "CASE",
            "status",
            json!({"defaultOption": "Archived"}),
            "defaultOption",
        ),
        (
            "CASE",
            "status",
            json!({"closedOptions": ["Archived"]}),
            "closedOptions",
        ),
        // A status always has a default: portal forms never send one.
        (
            "CASE",
            "status",
            json!({"defaultOption": null}),
            "defaultOption",
        ),
        // Something must stay open.
        (
            "DEAL",
            "stage",
            json!({"closedOptions": ["Prospecting", "Qualification", "Proposal", "Negotiation", "Won", "Lost"]}),
            "closedOptions",
        ),
        // A contact's kind is Portico's own vocabulary.
        (
            "CONTACT",
            "kind",
            json!({"options": ["Individual", "Organisation", "Robot"]}),
            "options",
        ),
    ] {
        let e = refused(entity, key, input.clone()).await;
        assert_eq!(code(&e), "VALIDATION", "{input}: {e}");
        assert_eq!(e["extensions"]["field"], field, "{input}: {e}");
    }
    let e = admin
        .err(
            r#"mutation { renameFieldOption(entity: CONTACT, key: "kind", from: "Individual", to: "Persona") { key } }"#,
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION", "{e}");
    // Nothing was half-changed: the shipped meaning is still there.
    let d = status_definition(&t).await;
    assert_eq!(d["defaultOption"], "Open");
    assert_eq!(d["closedOptions"], json!(["Closed"]));
    // Removing a status's or stage's default option moves the default to the first one left.
    let changed = admin
        .ok(
            UPDATE,
            json!({"e": "DEAL", "k": "stage", "i": {"options": ["Qualification", "Proposal", "Negotiation", "Won", "Lost"]}}),
        )
        .await;
    assert_eq!(
        changed["updateFieldDefinition"],
        json!({"defaultOption": "Qualification", "closedOptions": ["Won", "Lost"]}),
    );
}
