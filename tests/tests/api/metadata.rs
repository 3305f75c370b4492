//! Field definitions: system fields, custom fields of every type, and schema changes that
//! take effect on the next request.

use crate::helpers::{code, spawn_app};
use serde_json::json;

const DEFS: &str =
    "query($e: EntityKind!, $i: Boolean) { fieldDefinitions(entity: $e, includeInactive: $i) {
    key label type options required active system block position portalVisible portalEditable } }";
const CREATE: &str =
    "mutation($i: CreateFieldDefinitionInput!) { createFieldDefinition(input: $i) {
    id key type options active system block position portalVisible portalEditable } }";
const UPDATE: &str = "mutation($e: EntityKind!, $k: String!, $i: UpdateFieldDefinitionInput!) {
    updateFieldDefinition(entity: $e, key: $k, input: $i) { key label active block position portalVisible portalEditable options } }";

#[tokio::test]
async fn system_fields_ship_as_documented() {
    let app = spawn_app().await;
    let all = app.admin.ok(DEFS, json!({"e": "CONTACT", "i": true})).await;
    let portal = all["fieldDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "portalUser")
        .expect("portalUser exists")
        .clone();
    assert_eq!(portal["active"], false);
    assert_eq!(portal["system"], true);
    assert_eq!(portal["type"], "BOOLEAN");
    assert_eq!(portal["block"], "Customer information");
    let active = app.admin.ok(DEFS, json!({"e": "CONTACT"})).await;
    assert!(
        !active.to_string().contains("portalUser"),
        "inactive fields are hidden by default"
    );

    let cases = app.admin.ok(DEFS, json!({"e": "CASE"})).await;
    let keys: Vec<&str> = cases["fieldDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    for k in [
        "number",
        "subject",
        "description",
        "status",
        "owner",
        "client",
    ] {
        assert!(keys.contains(&k), "case field {k}");
    }
    let status = cases["fieldDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "status")
        .unwrap();
    assert_eq!(
        status["options"],
        json!(["Open", "In Progress", "Waiting for Response", "Closed"])
    );
    assert_eq!(status["portalVisible"], true);
    let subject = cases["fieldDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "subject")
        .unwrap();
    assert_eq!(
        (
            subject["portalVisible"].clone(),
            subject["portalEditable"].clone()
        ),
        (json!(true), json!(true))
    );
}

#[tokio::test]
async fn custom_fields_of_every_type_are_typed_in_the_schema_and_validated() {
    let app = spawn_app().await;
    let types = [
        ("textField", "TEXT", json!(null)),
        ("notes", "TEXTAREA", json!(null)),
        ("slaHours", "NUMBER", json!(null)),
        ("budget", "DECIMAL", json!(null)),
        ("reopened", "BOOLEAN", json!(null)),
        ("dueDate", "DATE", json!(null)),
        ("dueAt", "DATETIME", json!(null)),
        ("contactEmail", "EMAIL", json!(null)),
        ("callback", "PHONE", json!(null)),
        ("website", "URL", json!(null)),
        (
            "priority",
            "SELECT",
            json!(["Low", "Normal", "High", "Urgent"]),
        ),
        ("tags", "MULTISELECT", json!(["VIP", "Key account"])),
        ("reviewer", "USER", json!(null)),
        ("referrer", "CONTACT", json!(null)),
    ];
    for (key, ty, options) in &types {
        let d = app
            .admin
            .ok(CREATE, json!({"i": {"entity": "CASE", "key": key, "label": key, "type": ty, "options": options}}))
            .await;
        assert_eq!(d["createFieldDefinition"]["type"], *ty);
        assert_eq!(d["createFieldDefinition"]["system"], false);
    }
    // The next request sees the new fields, typed.
    let t = app
        .admin
        .ok("{ __type(name: \"Case\") { fields { name type { name ofType { name ofType { name ofType { name } } } } } } }", json!({}))
        .await;
    let field_type = |name: &str| {
        let f = t["__type"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("Case.{name}"))
            .clone();
        // Unwrap NON_NULL and LIST layers down to the named type.
        let mut t = &f["type"];
        while t["name"].is_null() && !t["ofType"].is_null() {
            t = &t["ofType"];
        }
        t["name"].as_str().unwrap_or_default().to_owned()
    };
    assert_eq!(field_type("slaHours"), "Int");
    assert_eq!(field_type("budget"), "Float");
    assert_eq!(field_type("priority"), "CasePriority");
    assert_eq!(field_type("tags"), "CaseTags");
    assert_eq!(field_type("reviewer"), "StaffUser");
    assert_eq!(field_type("referrer"), "Contact");
    assert_eq!(field_type("dueAt"), "DateTime");

    let contact = app
        .admin
        .ok(
            "mutation { createContact(input: {name: \"Ref\"}) { id } }",
            json!({}),
        )
        .await;
    let me = app.admin.ok("{ me { id } }", json!({})).await;
    let input = json!({
        "subject": "All types", "textField": "x", "notes": "long", "slaHours": 24, "budget": 12.5, "reopened": true,
        "dueDate": "2026-12-01", "dueAt": "2026-12-01T10:00:00Z", "contactEmail": "a@b.example", "callback": "+34 600 000 000",
        "website": "https://example.com", "priority": "HIGH", "tags": ["VIP", "KEY_ACCOUNT"],
        "reviewer": me["me"]["id"], "referrer": contact["createContact"]["id"]
    });
    let created = app
        .admin
        .ok(
            "mutation($i: CreateCaseInput!) { createCase(input: $i) { id number status slaHours budget reopened dueDate dueAt
               priority tags reviewer { email } referrer { name } website } }",
            json!({"i": input}),
        )
        .await;
    let c = &created["createCase"];
    assert_eq!(c["status"], "OPEN", "status defaults to Open");
    assert!(c["number"].as_str().unwrap().starts_with("CAS-"));
    assert_eq!(c["slaHours"], 24);
    assert_eq!(c["priority"], "HIGH");
    assert_eq!(c["tags"], json!(["VIP", "KEY_ACCOUNT"]));
    assert_eq!(c["reviewer"]["email"], "admin@example.com");
    assert_eq!(c["referrer"]["name"], "Ref");

    // Bad values are refused with the field named, and nothing is stored.
    let before = app.admin.ok("{ cases { totalCount } }", json!({})).await;
    for (field, value) in [
        ("dueDate", json!("01/12/2026")),
        ("dueAt", json!("tomorrow")),
        ("contactEmail", json!("not-an-email")),
        ("website", json!("ftp://example.com")),
        ("callback", json!("call me")),
        ("referrer", json!("999999")),
        ("reviewer", json!("999999")),
    ] {
        let e = app
            .admin
            .err(
                "mutation($i: CreateCaseInput!) { createCase(input: $i) { id } }",
                json!({"i": {"subject": "bad", field: value}}),
            )
            .await;
        assert_eq!(code(&e), "VALIDATION", "{field}: {e}");
        assert_eq!(e["extensions"]["field"], field, "{e}");
    }
    let e = app
        .admin
        .err(
            "mutation { createCase(input: {description: \"no subject\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION");
    let after = app.admin.ok("{ cases { totalCount } }", json!({})).await;
    assert_eq!(before, after, "no half-written case");
}

#[tokio::test]
async fn definitions_can_be_relabelled_moved_toggled_but_system_fields_keep_their_shape() {
    let app = spawn_app().await;
    app.admin
        .ok(CREATE, json!({"i": {"entity": "CASE", "key": "channel", "label": "Channel", "type": "SELECT", "options": ["portal", "email"]}}))
        .await;
    let d = app
        .admin
        .ok(UPDATE, json!({"e": "CASE", "k": "channel", "i": {"label": "Source", "block": "Triage", "position": 1, "portalVisible": true}}))
        .await;
    assert_eq!(d["updateFieldDefinition"]["label"], "Source");
    assert_eq!(d["updateFieldDefinition"]["block"], "Triage");
    assert_eq!(d["updateFieldDefinition"]["portalVisible"], true);
    // Editable implies visible; hiding implies not editable.
    let d = app.admin.ok(UPDATE, json!({"e": "CASE", "k": "channel", "i": {"portalVisible": false, "portalEditable": true}})).await;
    assert_eq!(
        (
            d["updateFieldDefinition"]["portalVisible"].clone(),
            d["updateFieldDefinition"]["portalEditable"].clone()
        ),
        (json!(true), json!(true))
    );

    // Options may grow; one in use may not be removed.
    app.admin
        .ok(
            "mutation { createCase(input: {subject: \"s\", channel: EMAIL}) { id } }",
            json!({}),
        )
        .await;
    app.admin
        .ok(
            UPDATE,
            json!({"e": "CASE", "k": "channel", "i": {"options": ["portal", "email", "phone"]}}),
        )
        .await;
    let e = app
        .admin
        .err(
            UPDATE,
            json!({"e": "CASE", "k": "channel", "i": {"options": ["portal", "phone"]}}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION");
    assert_eq!(e["extensions"]["field"], "options");
    app.admin
        .ok(
            UPDATE,
            json!({"e": "CASE", "k": "channel", "i": {"options": ["email", "phone"]}}),
        )
        .await;
    let listed = app
        .admin
        .ok("{ cases { edges { node { channel } } } }", json!({}))
        .await;
    assert_eq!(listed["cases"]["edges"][0]["node"]["channel"], "EMAIL");
    // Asked for through fragments too (the list reads custom values only when asked).
    let listed = app
        .admin
        .ok(
            "{ cases { edges { ... on CaseEdge { node { ...F } } } } } fragment F on Case { id ... { channel } }",
            json!({}),
        )
        .await;
    assert_eq!(listed["cases"]["edges"][0]["node"]["channel"], "EMAIL");

    // Deactivate: gone from the schema on the next request; reactivate: back, value intact.
    app.admin
        .ok(
            UPDATE,
            json!({"e": "CASE", "k": "channel", "i": {"active": false}}),
        )
        .await;
    let e = app
        .admin
        .err("{ cases { edges { node { channel } } } }", json!({}))
        .await;
    assert_eq!(code(&e), "VALIDATION");
    app.admin
        .ok(
            UPDATE,
            json!({"e": "CASE", "k": "channel", "i": {"active": true}}),
        )
        .await;
    let listed = app
        .admin
        .ok("{ cases { edges { node { channel } } } }", json!({}))
        .await;
    assert_eq!(listed["cases"]["edges"][0]["node"]["channel"], "EMAIL");

    // System fields: no recreating, no required change; but they can be toggled.
    let e = app
        .admin
        .err(
            CREATE,
            json!({"i": {"entity": "CASE", "key": "status", "label": "x", "type": "TEXT"}}),
        )
        .await;
    assert_eq!(code(&e), "CONFLICT");
    let e = app
        .admin
        .err(
            UPDATE,
            json!({"e": "CASE", "k": "subject", "i": {"required": false}}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION");
    let d = app
        .admin
        .ok(
            UPDATE,
            json!({"e": "CONTACT", "k": "portalUser", "i": {"active": true}}),
        )
        .await;
    assert_eq!(d["updateFieldDefinition"]["active"], true);
    let d = app
        .admin
        .ok(
            "mutation { createContact(input: {name: \"P\", portalUser: false}) { portalUser } }",
            json!({}),
        )
        .await;
    assert_eq!(d["createContact"]["portalUser"], false);
}

#[tokio::test]
async fn bad_definitions_are_refused_with_the_field_named() {
    let app = spawn_app().await;
    for (input, field) in [
        (
            json!({"entity": "CASE", "key": "Bad", "label": "x", "type": "TEXT"}),
            "key",
        ),
        (
            json!({"entity": "CASE", "key": "sla_hours", "label": "x", "type": "TEXT"}),
            "key",
        ),
        (
            json!({"entity": "CASE", "key": "id", "label": "x", "type": "TEXT"}),
            "key",
        ),
        (
            json!({"entity": "CASE", "key": "ok", "label": "", "type": "TEXT"}),
            "label",
        ),
        (
            json!({"entity": "CASE", "key": "ok", "label": "x", "type": "SELECT"}),
            "options",
        ),
        (
            json!({"entity": "CASE", "key": "ok", "label": "x", "type": "SELECT", "options": ["A b", "a-B"]}),
            "options",
        ),
        (
            json!({"entity": "CASE", "key": "ok", "label": "x", "type": "TEXT", "options": ["a"]}),
            "options",
        ),
    ] {
        let e = app.admin.err(CREATE, json!({"i": input})).await;
        assert_eq!(code(&e), "VALIDATION", "{input}: {e}");
        assert_eq!(e["extensions"]["field"], field, "{input}: {e}");
    }
    app.admin
        .ok(
            CREATE,
            json!({"i": {"entity": "DEAL", "key": "region", "label": "Region", "type": "TEXT"}}),
        )
        .await;
    let e = app
        .admin
        .err(
            CREATE,
            json!({"i": {"entity": "DEAL", "key": "region", "label": "Region", "type": "TEXT"}}),
        )
        .await;
    assert_eq!(code(&e), "CONFLICT");
    let e = app
        .admin
        .err(
            UPDATE,
            json!({"e": "DEAL", "k": "nothere", "i": {"label": "x"}}),
        )
        .await;
    assert_eq!(code(&e), "NOT_FOUND");
}

#[tokio::test]
async fn options_are_counted_and_renamed_where_records_hold_them() {
    let app = crate::helpers::spawn_app().await;
    for input in [
        r#"{entity: CASE, key: "channel", label: "Channel", type: SELECT, options: ["Phone", "Email", "Web"]}"#,
        r#"{entity: CASE, key: "topics", label: "Topics", type: MULTISELECT, options: ["Tax", "Payroll", "Audit"]}"#,
    ] {
        app.admin
            .ok(
                &format!("mutation {{ createFieldDefinition(input: {input}) {{ key }} }}"),
                serde_json::json!({}),
            )
            .await;
    }
    let mut ids = Vec::new();
    for (channel, topics, status) in [
        ("PHONE", "[TAX, PAYROLL]", "OPEN"),
        ("PHONE", "[PAYROLL]", "WAITING_FOR_RESPONSE"),
        ("WEB", "[AUDIT]", "WAITING_FOR_RESPONSE"),
    ] {
        let c = app
            .admin
            .ok(
                &format!("mutation {{ createCase(input: {{subject: \"S\", channel: {channel}, topics: {topics}, status: {status}}}) {{ id updatedAt }} }}"),
                serde_json::json!({}),
            )
            .await;
        ids.push(c["createCase"].clone());
    }
    let usage = |key: &'static str| {
        let admin = &app.admin;
        async move {
            admin
                .ok(
                    "query($k: String!) { fieldOptionUsage(entity: CASE, key: $k) { option count } }",
                    serde_json::json!({"k": key}),
                )
                .await["fieldOptionUsage"]
                .clone()
        }
    };
    assert_eq!(
        usage("channel").await,
        serde_json::json!([{"option": "Phone", "count": 2}, {"option": "Email", "count": 0}, {"option": "Web", "count": 1}])
    );
    assert_eq!(
        usage("topics").await,
        serde_json::json!([{"option": "Tax", "count": 1}, {"option": "Payroll", "count": 2}, {"option": "Audit", "count": 1}])
    );
    let rename = "mutation($k: String!, $f: String!, $t: String!) { renameFieldOption(entity: CASE, key: $k, from: $f, to: $t) { options } }";
    for (key, from, to) in [
        ("channel", "Phone", "Telephone"),
        ("topics", "Payroll", "Salaries"),
        ("status", "Waiting for Response", "Waiting on the client"),
    ] {
        let d = app
            .admin
            .ok(rename, serde_json::json!({"k": key, "f": from, "t": to}))
            .await;
        assert!(d.to_string().contains(to), "{d}");
    }
    let cases = app
        .admin
        .ok(
            "{ cases(orderBy: [{field: \"id\", direction: ASC}]) { edges { node { channel topics status updatedAt } } } }",
            serde_json::json!({}),
        )
        .await;
    let nodes: Vec<_> = cases["cases"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(nodes[0]["channel"], "TELEPHONE");
    assert_eq!(nodes[0]["topics"], serde_json::json!(["TAX", "SALARIES"]));
    assert_eq!(nodes[1]["topics"], serde_json::json!(["SALARIES"]));
    assert_eq!(nodes[1]["status"], "WAITING_ON_THE_CLIENT");
    assert_eq!(nodes[2]["channel"], "WEB");
    assert_eq!(nodes[2]["status"], "WAITING_ON_THE_CLIENT");
    // The records' content is the same: their last change stays theirs.
    for (node, created) in nodes.iter().zip(&ids) {
        assert_eq!(node["updatedAt"], created["updatedAt"]);
    }
    assert_eq!(
        usage("channel").await[0],
        serde_json::json!({"option": "Telephone", "count": 2})
    );
    // A name another option already has (once written as an enum value), an option that is
    // not there, and a plain staff user: refused, nothing changed.
    let e = app
        .admin
        .err(
            rename,
            serde_json::json!({"k": "channel", "f": "Web", "t": "email"}),
        )
        .await;
    assert_eq!(e["extensions"]["field"], "to", "{e}");
    let e = app
        .admin
        .err(
            rename,
            serde_json::json!({"k": "channel", "f": "Fax", "t": "Telefax"}),
        )
        .await;
    assert_eq!(e["extensions"]["field"], "from", "{e}");
    let plain = app.staff("plain@example.com", &[]).await;
    let e = plain
        .err(
            rename,
            serde_json::json!({"k": "channel", "f": "Web", "t": "Online"}),
        )
        .await;
    assert_eq!(crate::helpers::code(&e), "FORBIDDEN");
    assert_eq!(
        usage("channel").await,
        serde_json::json!([{"option": "Telephone", "count": 2}, {"option": "Email", "count": 0}, {"option": "Web", "count": 1}])
    );
}

/// Issue 18's first report, over GraphQL: every option's enum value comes from the server,
/// and a record keeps and reads back each of them.
#[tokio::test]
async fn option_values_are_the_schemas_enum_values() {
    let app = crate::helpers::spawn_app().await;
    let made = app
        .admin
        .ok(
            "mutation { createFieldDefinition(input: {entity: CASE, key: \"respuesta\", label: \"Respuesta\", type: SELECT, options: [\"Sí\", \"No\", \"24h\", \"Done!\"]}) { options optionValues } }",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(
        made["createFieldDefinition"]["optionValues"],
        serde_json::json!(["S_", "NO", "_24H", "DONE_"])
    );
    let status = app
        .admin
        .ok(
            "{ fieldDefinitions(entity: CASE) { key optionValues } }",
            serde_json::json!({}),
        )
        .await;
    let status = status["fieldDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "status")
        .unwrap()["optionValues"]
        .clone();
    assert_eq!(
        status,
        serde_json::json!(["OPEN", "IN_PROGRESS", "WAITING_FOR_RESPONSE", "CLOSED"])
    );
    for value in ["S_", "NO", "_24H", "DONE_"] {
        let made = app
            .admin
            .ok(
                &format!("mutation {{ createCase(input: {{subject: \"x\", respuesta: {value}}}) {{ id respuesta }} }}"),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(made["createCase"]["respuesta"], value);
    }
}

/// Each field type is described once, by the server: the staff UI builds its inputs, filters
/// and columns from this and decides none of it.
#[tokio::test]
async fn the_server_describes_every_field_type() {
    let app = crate::helpers::spawn_app().await;
    let types = app
        .admin
        .ok(
            "{ fieldTypes { type value input operators sortable hasOptions portalInput } }",
            serde_json::json!({}),
        )
        .await["fieldTypes"]
        .clone();
    let list = types.as_array().unwrap();
    let names: Vec<&str> = list.iter().map(|t| t["type"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "TEXT",
            "TEXTAREA",
            "NUMBER",
            "DECIMAL",
            "BOOLEAN",
            "DATE",
            "DATETIME",
            "EMAIL",
            "PHONE",
            "URL",
            "SELECT",
            "MULTISELECT",
            "USER",
            "CONTACT"
        ]
    );
    let of = |name: &str| list.iter().find(|t| t["type"] == name).unwrap().clone();
    assert_eq!(
        of("DECIMAL"),
        serde_json::json!({"type": "DECIMAL", "value": "DECIMAL", "input": "decimal",
            "operators": ["eq", "ne", "lt", "lte", "gt", "gte", "in", "isNull"],
            "sortable": true, "hasOptions": false, "portalInput": true})
    );
    assert_eq!(
        of("MULTISELECT")["operators"],
        serde_json::json!(["contains", "isNull"])
    );
    assert_eq!(of("MULTISELECT")["sortable"], false);
    assert_eq!(of("PHONE")["input"], "tel");
    assert_eq!(of("USER")["portalInput"], false);
    assert_eq!(of("SELECT")["value"], "OPTION");
    // The operators are those of the type's filter input in the schema, no more and no less.
    let schema = app
        .admin
        .ok(
            r#"{ __type(name: "FloatFilter") { inputFields { name } } }"#,
            serde_json::json!({}),
        )
        .await;
    let mut fields: Vec<String> = schema["__type"]["inputFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    let mut ops: Vec<String> = of("DECIMAL")["operators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o.as_str().unwrap().to_owned())
        .collect();
    fields.sort();
    ops.sort();
    assert_eq!(fields, ops);
}
