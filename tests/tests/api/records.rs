//! Contacts, relationships, cases and deals over GraphQL: CRUD, paging, filters and ordering.

use crate::helpers::{code, spawn_app};
use serde_json::{Value, json};

async fn contact(app: &crate::helpers::App, name: &str, kind: &str, email: Option<&str>) -> String {
    let d = app
        .admin
        .ok(
            "mutation($i: CreateContactInput!) { createContact(input: $i) { id kind } }",
            json!({"i": {"name": name, "kind": kind, "email": email}}),
        )
        .await;
    assert_eq!(d["createContact"]["kind"], kind);
    d["createContact"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn contacts_relationships_and_case_contacts() {
    let app = spawn_app().await;
    let org = contact(&app, "Acme", "ORGANISATION", Some("info@acme.example")).await;
    let ana = contact(&app, "Ana", "INDIVIDUAL", Some("ana@acme.example")).await;
    // Emails are not unique among contacts.
    let ana2 = contact(&app, "Ana (home)", "INDIVIDUAL", Some("ana@acme.example")).await;
    let rel = app
        .admin
        .ok(
            "mutation($i: ID!, $o: ID!) { addRelationship(individualId: $i, organisationId: $o, role: \"Accountant\") {
               id role individual { name } organisation { name } } }",
            json!({"i": ana, "o": org}),
        )
        .await;
    assert_eq!(rel["addRelationship"]["organisation"]["name"], "Acme");
    let e = app
        .admin
        .err("mutation($i: ID!, $o: ID!) { addRelationship(individualId: $i, organisationId: $o) { id } }", json!({"i": org, "o": ana}))
        .await;
    assert_eq!(
        (code(&e), e["extensions"]["field"].as_str()),
        ("VALIDATION", Some("individualId"))
    );
    let e = app
        .admin
        .err("mutation($i: ID!, $o: ID!) { addRelationship(individualId: $i, organisationId: $o) { id } }", json!({"i": ana, "o": org}))
        .await;
    assert_eq!(code(&e), "CONFLICT");
    let rels = app
        .admin
        .ok(
            "query($id: ID!) { contact(id: $id) { relationships { role individual { name } } } }",
            json!({"id": org}),
        )
        .await;
    assert_eq!(
        rels["contact"]["relationships"][0]["individual"]["name"],
        "Ana"
    );

    let case = app
        .admin
        .ok("mutation($c: ID!) { createCase(input: {subject: \"Help\", client: $c}) { id client { name } } }", json!({"c": org}))
        .await;
    let case_id = case["createCase"]["id"].as_str().unwrap().to_owned();
    assert_eq!(case["createCase"]["client"]["name"], "Acme");
    for c in [&ana, &ana2] {
        app.admin
            .ok(
                "mutation($k: ID!, $c: ID!) { addCaseContact(caseId: $k, contactId: $c) { id } }",
                json!({"k": case_id, "c": c}),
            )
            .await;
    }
    let linked = app
        .admin
        .ok(
            "query($k: ID!) { case(id: $k) { contacts { name } } }",
            json!({"k": case_id}),
        )
        .await;
    assert_eq!(
        linked["case"]["contacts"],
        json!([{"name": "Ana"}, {"name": "Ana (home)"}])
    );
    let removed = app
        .admin
        .ok(
            "mutation($k: ID!, $c: ID!) { removeCaseContact(caseId: $k, contactId: $c) }",
            json!({"k": case_id, "c": ana2}),
        )
        .await;
    assert_eq!(removed["removeCaseContact"], true);

    // A contact that is a client cannot be deleted; the error lists what holds it.
    let e = app
        .admin
        .err(
            "mutation($id: ID!) { deleteContact(id: $id) }",
            json!({"id": org}),
        )
        .await;
    assert_eq!(code(&e), "CONFLICT");
    assert_eq!(e["extensions"]["related"][0]["name"], "Help");
    let d = app
        .admin
        .ok(
            "mutation($id: ID!) { deleteContact(id: $id) }",
            json!({"id": ana2}),
        )
        .await;
    assert_eq!(d["deleteContact"], true);
    let e = app
        .admin
        .err(
            "query($id: ID!) { contact(id: $id) { id } }",
            json!({"id": ana2}),
        )
        .await;
    assert_eq!(code(&e), "NOT_FOUND");

    let log = app
        .admin
        .ok(
            "query($k: ID!) { auditLog(entity: CASE, id: $k) { action actor { name } } }",
            json!({"k": case_id}),
        )
        .await;
    let actions: Vec<&str> = log["auditLog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "created",
            "contact_added",
            "contact_added",
            "contact_removed"
        ]
    );
    assert_eq!(log["auditLog"][0]["actor"]["name"], "Administrator");
}

#[tokio::test]
async fn updates_change_only_what_is_given_and_null_clears() {
    let app = spawn_app().await;
    app.admin
        .ok("mutation { createFieldDefinition(input: {entity: DEAL, key: \"region\", label: \"Region\", type: TEXT}) { id } }", json!({}))
        .await;
    let d = app
        .admin
        .ok("mutation { createDeal(input: {name: \"Big\", amount: 1000.5, region: \"North\"}) { id stage amount region } }", json!({}))
        .await;
    assert_eq!(d["createDeal"]["stage"], "PROSPECTING");
    let id = d["createDeal"]["id"].clone();
    let u = app
        .admin
        .ok("mutation($id: ID!) { updateDeal(id: $id, input: {stage: WON}) { name stage amount region } }", json!({"id": id}))
        .await;
    assert_eq!(
        u["updateDeal"],
        json!({"name": "Big", "stage": "WON", "amount": 1000.5, "region": "North"})
    );
    let u = app
        .admin
        .ok("mutation($id: ID!) { updateDeal(id: $id, input: {region: null, amount: null}) { region amount } }", json!({"id": id}))
        .await;
    assert_eq!(u["updateDeal"], json!({"region": null, "amount": null}));
    let e = app
        .admin
        .err(
            "mutation($id: ID!) { updateDeal(id: $id, input: {name: null}) { id } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(
        (code(&e), e["extensions"]["field"].as_str()),
        ("VALIDATION", Some("name"))
    );
    let e = app
        .admin
        .err(
            "mutation { updateDeal(id: \"424242\", input: {name: \"x\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "NOT_FOUND");
    let e = app
        .admin
        .err(
            "mutation { updateDeal(id: \"abc\", input: {name: \"x\"}) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(
        (code(&e), e["extensions"]["field"].as_str()),
        ("VALIDATION", Some("id"))
    );
}

/// Found by the staff UI: a contact saved without a language (a select left empty) could not
/// be read back, because an empty enum answered an invalid item instead of null.
#[tokio::test]
async fn an_empty_select_reads_as_null() {
    let app = spawn_app().await;
    app.admin
        .ok("mutation { createFieldDefinition(input: {entity: CONTACT, key: \"tier\", label: \"Tier\", type: SELECT, options: [\"Gold\", \"Silver\"]}) { id } }", json!({}))
        .await;
    let c = app
        .admin
        .ok(
            "mutation { createContact(input: {name: \"Ana\", language: null, tier: null}) { id language tier } }",
            json!({}),
        )
        .await;
    assert_eq!(c["createContact"]["language"], Value::Null);
    assert_eq!(c["createContact"]["tier"], Value::Null);
    let read = app
        .admin
        .raw(
            "query($id: ID!) { contact(id: $id) { language tier } contacts { edges { node { language tier } } } }",
            json!({"id": c["createContact"]["id"]}),
        )
        .await;
    assert!(read.get("errors").is_none(), "{read}");
    assert_eq!(
        read["data"]["contact"],
        json!({"language": null, "tier": null})
    );
}

fn ids(page: &Value, list: &str) -> Vec<String> {
    page[list]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["subject"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn lists_page_by_cursor_and_filter_and_order_on_system_and_custom_fields() {
    let app = spawn_app().await;
    app.admin
        .ok("mutation { createFieldDefinition(input: {entity: CASE, key: \"slaHours\", label: \"SLA\", type: NUMBER}) { id } }", json!({}))
        .await;
    app.admin
        .ok("mutation { createFieldDefinition(input: {entity: CASE, key: \"priority\", label: \"Priority\", type: SELECT, options: [\"Low\", \"High\"]}) { id } }", json!({}))
        .await;
    let client = contact(&app, "Client", "ORGANISATION", None).await;
    for i in 0..25 {
        let status = ["OPEN", "IN_PROGRESS", "CLOSED"][i % 3];
        let priority = if i % 2 == 0 { "HIGH" } else { "LOW" };
        let client_id = if i < 10 {
            Value::from(client.clone())
        } else {
            Value::Null
        };
        app.admin
            .ok(
                "mutation($i: CreateCaseInput!) { createCase(input: $i) { id } }",
                json!({"i": {"subject": format!("case {i:02}"), "status": status, "slaHours": i, "priority": priority, "client": client_id}}),
            )
            .await;
    }
    // Newest first by default, pages of 10 linked by cursors, none lost or repeated.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .admin
            .ok(
                "query($a: String) { cases(first: 10, after: $a) { totalCount edges { cursor node { subject } } pageInfo { hasNextPage endCursor } } }",
                json!({"a": after}),
            )
            .await;
        assert_eq!(page["cases"]["totalCount"], 25);
        seen.extend(ids(&page, "cases"));
        if page["cases"]["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["cases"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    let expected: Vec<String> = (0..25).rev().map(|i| format!("case {i:02}")).collect();
    assert_eq!(seen, expected);

    let q = "query($f: CaseFilter, $o: [CaseOrderBy!]) { cases(first: 100, filter: $f, orderBy: $o) { totalCount edges { node { subject } } } }";
    let r = app
        .admin
        .ok(
            q,
            json!({"f": {"status": {"eq": "OPEN"}, "client": {"eq": client}}}),
        )
        .await;
    assert_eq!(
        ids(&r, "cases"),
        ["case 09", "case 06", "case 03", "case 00"]
    );
    let r = app.admin.ok(q, json!({"f": {"slaHours": {"gte": 20}}, "o": [{"field": "slaHours", "direction": "ASC"}]})).await;
    assert_eq!(
        ids(&r, "cases"),
        ["case 20", "case 21", "case 22", "case 23", "case 24"]
    );
    let r = app
        .admin
        .ok(
            q,
            json!({"f": {"priority": {"eq": "LOW"}, "slaHours": {"lt": 6}}}),
        )
        .await;
    assert_eq!(ids(&r, "cases"), ["case 05", "case 03", "case 01"]);
    let r = app
        .admin
        .ok(
            q,
            json!({"f": {"status": {"in": ["IN_PROGRESS", "CLOSED"]}, "slaHours": {"lte": 3}}}),
        )
        .await;
    assert_eq!(ids(&r, "cases"), ["case 02", "case 01"]);
    let r = app
        .admin
        .ok(q, json!({"f": {"subject": {"contains": "CASE 1"}}}))
        .await;
    assert_eq!(r["cases"]["totalCount"], 10);
    let r = app
        .admin
        .ok(
            q,
            json!({"f": {"client": {"isNull": false}, "status": {"ne": "OPEN"}}}),
        )
        .await;
    assert_eq!(r["cases"]["totalCount"], 6);
    // Ordering by a custom select, then paging through it by cursor.
    let first = app
        .admin
        .ok("{ cases(first: 13, orderBy: [{field: \"priority\", direction: DESC}, {field: \"slaHours\"}]) { edges { node { subject } } pageInfo { endCursor } } }", json!({}))
        .await;
    let names = ids(&first, "cases");
    assert_eq!(&names[..3], ["case 01", "case 03", "case 05"]);
    let cursor = first["cases"]["pageInfo"]["endCursor"].clone();
    let rest = app
        .admin
        .ok("query($a: String) { cases(first: 100, after: $a, orderBy: [{field: \"priority\", direction: DESC}, {field: \"slaHours\"}]) { edges { node { subject } } } }", json!({"a": cursor}))
        .await;
    assert_eq!(names[12], "case 00");
    assert_eq!(ids(&rest, "cases")[0], "case 02");
    assert_eq!(names.len() + ids(&rest, "cases").len(), 25);

    for (vars, field) in [
        (json!({"o": [{"field": "nope"}]}), "orderBy"),
        (json!({"f": {"client": {"eq": "abc"}}}), "client"),
        (json!({"f": {"slaHours": {"contains": "x"}}}), "slaHours"),
    ] {
        let e = app.admin.err(q, vars).await;
        assert_eq!(code(&e), "VALIDATION", "{e}");
        assert_eq!(e["extensions"]["field"], field, "{e}");
    }
    let e = app
        .admin
        .err("{ cases(first: 101) { totalCount } }", json!({}))
        .await;
    assert_eq!(
        (code(&e), e["extensions"]["field"].as_str()),
        ("VALIDATION", Some("first"))
    );
    let e = app
        .admin
        .err("{ cases(after: \"zz\") { totalCount } }", json!({}))
        .await;
    assert_eq!(
        (code(&e), e["extensions"]["field"].as_str()),
        ("VALIDATION", Some("after"))
    );
}
