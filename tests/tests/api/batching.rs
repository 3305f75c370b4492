//! Finding 3 of the access review, the other half: nested lists resolved one query per row.
//! Here the staff schema runs in this process over a real database, and the engine's count of
//! statements shows that a page's nested lists cost the same whatever the page's size.

use crate::helpers::{TestDb, admin_handle, engine_config};
use portico_engine::documents::Upload;
use portico_engine::metadata::EntityKind;
use portico_engine::{Engine, StaffHandle};
use portico_schema::{Caller, RequestInfo};
use serde_json::{Map, Value, json};
use std::sync::Arc;

fn values(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

/// Statements run by one request of `query` as `admin`.
async fn statements(
    engine: &Arc<Engine>,
    schema: &async_graphql::dynamic::Schema,
    admin: &StaffHandle,
    query: &str,
) -> (u64, Value) {
    let before = engine.statements_run();
    let request = async_graphql::Request::new(query)
        .data(RequestInfo::new(Caller::Staff(admin.clone()), None));
    let response = schema.execute(request).await;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    (engine.statements_run() - before, data)
}

/// The engine on `db`, its first admin, and the staff schema as the server builds it.
async fn open(db: &TestDb) -> (Arc<Engine>, StaffHandle, async_graphql::dynamic::Schema) {
    let (engine, maintenance) = Engine::open(engine_config(db, None)).await.unwrap();
    let admin = admin_handle(&engine, &maintenance).await;
    let catalog = engine.sync().await.unwrap();
    let schema = portico_schema::build_staff_schema(&catalog, engine.clone()).unwrap();
    (engine, admin, schema)
}

#[tokio::test]
async fn a_pages_nested_lists_cost_the_same_whatever_its_size() {
    let db = TestDb::new().await;
    let (engine, admin, schema) = open(&db).await;
    let org = admin
        .create(
            EntityKind::Contact,
            values(json!({"name": "Acme", "kind": "Organisation"})),
        )
        .await
        .unwrap();
    for i in 0..40 {
        let person = admin
            .create(
                EntityKind::Contact,
                values(json!({"name": format!("P{i}"), "email": format!("p{i}@example.com")})),
            )
            .await
            .unwrap();
        admin
            .add_relationship(person.id, org.id, None)
            .await
            .unwrap();
        let case = admin
            .create(
                EntityKind::Case,
                values(json!({"subject": format!("Case {i}"), "client": org.id})),
            )
            .await
            .unwrap();
        admin.add_case_contact(case.id, person.id).await.unwrap();
        admin.create_folder(case.id, "Papers", None).await.unwrap();
        let mut bytes: &[u8] = b"receipt";
        let doc = admin
            .upload_document(
                case.id,
                None,
                Upload {
                    filename: format!("r{i}.txt"),
                    content_type: None,
                    content: &mut bytes,
                },
            )
            .await
            .unwrap();
        admin
            .set_portal_access(case.id, person.id, true, true)
            .await
            .unwrap();
        admin
            .share_documents(case.id, person.id, &[doc.id])
            .await
            .unwrap();
    }
    let page = |n: usize| {
        format!(
            "{{ cases(first: {n}) {{ edges {{ node {{ id owner {{ id }} client {{ name relationships {{ id }} }} contacts {{ id relationships {{ id }} }} folders {{ id }} documents {{ id createdBy {{ id }} sharedWith {{ id }} }} }} }} }} }}"
        )
    };
    // Warm what is cached per process (the staff users), then compare.
    statements(&engine, &schema, &admin, &page(1)).await;
    let (small, data) = statements(&engine, &schema, &admin, &page(5)).await;
    assert_eq!(data["cases"]["edges"].as_array().unwrap().len(), 5);
    let (large, data) = statements(&engine, &schema, &admin, &page(40)).await;
    let edges = data["cases"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 40);
    assert!(edges.iter().all(|e| {
        e["node"]["documents"][0]["sharedWith"]
            .as_array()
            .unwrap()
            .len()
            == 1
    }));
    assert!(edges.iter().all(|e| {
        e["node"]["contacts"][0]["relationships"]
            .as_array()
            .unwrap()
            .len()
            == 1
    }));
    // One query per nested list (and a few for the page itself), not one per row.
    assert_eq!(small, large, "5 rows: {small} statements, 40 rows: {large}");
    assert!(large < 20, "{large} statements for a page of 40");
}

/// A `get` that asks only for its client's id (the load benchmark's `case { client { id } }`)
/// reads the case and nothing else: the id is the case's own column. Asking for anything more
/// of the client reads it, with the same answer for the id.
#[tokio::test]
async fn a_references_id_alone_is_answered_from_the_row() {
    let db = TestDb::new().await;
    let (engine, admin, schema) = open(&db).await;
    let client = admin
        .create(EntityKind::Contact, values(json!({"name": "Acme"})))
        .await
        .unwrap();
    let case = admin
        .create(
            EntityKind::Case,
            values(json!({"subject": "Printer", "client": client.id})),
        )
        .await
        .unwrap();
    let get = |selection: &str| {
        format!(
            "{{ case(id: \"{}\") {{ id subject client {{ {selection} }} }} }}",
            case.id
        )
    };
    statements(&engine, &schema, &admin, &get("id")).await;
    let (id_only, data) = statements(&engine, &schema, &admin, &get("id __typename")).await;
    assert_eq!(
        data["case"]["client"],
        json!({"id": client.id.to_string(), "__typename": "Contact"})
    );
    let (with_name, data) = statements(&engine, &schema, &admin, &get("id name")).await;
    assert_eq!(
        data["case"]["client"],
        json!({"id": client.id.to_string(), "name": "Acme"})
    );
    assert_eq!(with_name, id_only + 1, "the name needs the contact's row");
}

/// Issue 23: a staff create of a case is one round trip on PostgreSQL: the case, its "created"
/// event and its search words go in one statement, which is its own transaction (no `BEGIN`,
/// no `COMMIT`). SQLite runs the three statements in place. What the statement wrote is all
/// there, and a create that fails leaves nothing behind.
#[tokio::test]
async fn creating_a_case_is_one_statement_on_postgresql() {
    let db = TestDb::new().await;
    let on_postgres = crate::helpers::postgres_url().is_some();
    let (engine, admin, schema) = open(&db).await;
    let client = admin
        .create(EntityKind::Contact, values(json!({"name": "Acme"})))
        .await
        .unwrap();
    let create = |subject: &str| {
        format!(
            "mutation {{ createCase(input: {{subject: \"{subject}\", client: \"{}\"}}) {{ id number subject }} }}",
            client.id
        )
    };
    statements(&engine, &schema, &admin, &create("Warm-up")).await;
    let (cost, data) = statements(&engine, &schema, &admin, &create("Impresora rota")).await;
    assert_eq!(cost, if on_postgres { 1 } else { 3 });
    let id: i64 = data["createCase"]["id"].as_str().unwrap().parse().unwrap();
    let number = data["createCase"]["number"].as_str().unwrap().to_owned();
    assert_eq!(number, format!("CAS-{id:06}"));

    let log = admin.audit_log(EntityKind::Case, id).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].action, "created");
    assert_eq!(log[0].actor.id, admin.user_id());
    assert_eq!(log[0].detail["subject"], "Impresora rota");
    for typed in ["impresora", "ROTA", number.as_str(), &id.to_string()] {
        let found = crate::search::staff_search(&admin, EntityKind::Case, typed).await;
        assert_eq!(found, [id], "{typed}");
    }

    // A client that does not exist: the field is named, and nothing was written.
    let before = admin.count(EntityKind::Case, &[]).await.unwrap();
    let request = async_graphql::Request::new(
        "mutation { createCase(input: {subject: \"Nadie\", client: \"987654\"}) { id } }",
    )
    .data(RequestInfo::new(Caller::Staff(admin.clone()), None));
    let response = schema.execute(request).await;
    let error = format!("{:?}", response.errors);
    assert!(error.contains("client"), "{error}");
    assert_eq!(admin.count(EntityKind::Case, &[]).await.unwrap(), before);
    assert!(
        crate::search::staff_search(&admin, EntityKind::Case, "nadie")
            .await
            .is_empty()
    );
}
