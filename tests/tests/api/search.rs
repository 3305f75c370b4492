//! Search as people type it (issue 19): "lucia" finds "Lucía", "fernan" finds "Fernández", an
//! email finds its contact and a case number its case, in the contact list, the pickers and the
//! portal's case search, on SQLite and PostgreSQL alike. The plans are tested in the engine
//! (`records::query` tests): each typed word is an index range.

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app};
use crate::portal::portal_app;
use crate::webdriver::Browser;
use serde_json::{Value, json};

const CONTACTS: &str = "query($s: String) { contacts(search: $s, orderBy: [{field: \"name\"}]) { totalCount edges { node { name } } } }";

fn names(data: &Value, list: &str) -> Vec<String> {
    data[list]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let n = &e["node"];
            n["name"]
                .as_str()
                .or(n["subject"].as_str())
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn staff_find_contacts_and_cases_as_they_type_them() {
    let app = spawn_app().await;
    for (name, email) in [
        ("Lucía Fernández", "lucia.fernandez@correo.es"),
        ("Fernando Núñez", "fnunez@example.com"),
        ("Lucas Martín", "lucas@example.com"),
        ("Gestoría Hernández", "info@hernandez.es"),
    ] {
        app.admin
            .ok(
                "mutation($n: String!, $e: String!) { createContact(input: {name: $n, email: $e}) { id } }",
                json!({"n": name, "e": email}),
            )
            .await;
    }
    let found = |s: &'static str| {
        let admin = app.admin.clone();
        async move { names(&admin.ok(CONTACTS, json!({"s": s})).await, "contacts") }
    };
    assert_eq!(found("lucia").await, ["Lucía Fernández"]);
    assert_eq!(found("LUCÍA").await, ["Lucía Fernández"]);
    assert_eq!(found("fernan").await, ["Fernando Núñez", "Lucía Fernández"]);
    assert_eq!(found("nunez").await, ["Fernando Núñez"]);
    assert_eq!(
        found("lucia.fernandez@correo.es").await,
        ["Lucía Fernández"]
    );
    assert_eq!(found("fern luc").await, ["Lucía Fernández"]);
    assert_eq!(found("luc").await, ["Lucas Martín", "Lucía Fernández"]);
    // A word's middle is not its start: "ández" is in two names but starts neither.
    assert_eq!(found("andez").await, Vec::<String>::new());
    // Only punctuation searches nothing away.
    assert_eq!(found(" - ").await.len(), 4);
    let counted = app.admin.ok(CONTACTS, json!({"s": "fernan"})).await;
    assert_eq!(counted["contacts"]["totalCount"], 2);

    // A rename is found by its new name at once, and not by the old one.
    let lucas = app
        .admin
        .ok(
            "{ contacts(search: \"lucas\") { edges { node { id } } } }",
            json!({}),
        )
        .await["contacts"]["edges"][0]["node"]["id"]
        .clone();
    app.admin
        .ok(
            "mutation($id: ID!) { updateContact(id: $id, input: {name: \"Lucas Peña\"}) { id } }",
            json!({"id": lucas}),
        )
        .await;
    assert_eq!(found("pena").await, ["Lucas Peña"]);
    assert_eq!(found("martin").await, Vec::<String>::new());
    app.admin
        .ok(
            "mutation($id: ID!) { deleteContact(id: $id) }",
            json!({"id": lucas}),
        )
        .await;
    assert_eq!(found("lucas").await, Vec::<String>::new());

    // Cases: by a word of the subject, by the number as shown, by the number alone.
    let case = app
        .admin
        .ok(
            "mutation { createCase(input: {subject: \"Declaración trimestral del IVA\"}) { id number } }",
            json!({}),
        )
        .await["createCase"]
        .clone();
    app.admin
        .ok(
            "mutation { createCase(input: {subject: \"Alta en Hacienda\"}) { id } }",
            json!({}),
        )
        .await;
    let cases = |s: String| {
        let admin = app.admin.clone();
        async move {
            names(
                &admin
                    .ok(
                        "query($s: String) { cases(search: $s) { edges { node { subject } } } }",
                        json!({"s": s}),
                    )
                    .await,
                "cases",
            )
        }
    };
    let number = case["number"].as_str().unwrap().to_owned();
    let id = case["id"].as_str().unwrap().to_owned();
    assert_eq!(
        cases("declaracion".into()).await,
        ["Declaración trimestral del IVA"]
    );
    assert_eq!(
        cases(number.clone()).await,
        ["Declaración trimestral del IVA"]
    );
    assert_eq!(cases(id).await, ["Declaración trimestral del IVA"]);
    assert_eq!(
        cases("iva trim".into()).await,
        ["Declaración trimestral del IVA"]
    );
}

#[tokio::test]
async fn a_client_finds_their_cases_by_a_word_or_the_number() {
    let t = portal_app().await;
    let ana = t
        .create_contact(json!({"name": "Ana", "email": "ana@example.com"}))
        .await;
    let renta = t
        .create_case(json!({"subject": "Declaración de la renta", "client": ana}))
        .await;
    let alta = t
        .create_case(json!({"subject": "Alta de autónomo", "client": ana}))
        .await;
    // A case of another client, whose words must not lead anywhere.
    let other = t
        .create_contact(json!({"name": "Otro", "email": "otro@example.com"}))
        .await;
    t.create_case(json!({"subject": "Declaración ajena", "client": other}))
        .await;
    for c in [&renta, &alta] {
        t.set_access(c, &ana, true, false).await;
    }
    let client = t.accept_mailed("ana@example.com", 1).await;
    let search = |s: &'static str| {
        let client = client.clone();
        async move {
            names(
                &client
                    .ok(
                        "query($s: String) { cases(search: $s) { totalCount edges { node { subject } } } }",
                        json!({"s": s}),
                    )
                    .await,
                "cases",
            )
        }
    };
    assert_eq!(search("declaracion").await, ["Declaración de la renta"]);
    assert_eq!(search("AUTÓN").await, ["Alta de autónomo"]);
    assert_eq!(search("ajena").await, Vec::<String>::new());
    let number = client
        .ok(
            "{ cases(search: \"alta\") { edges { node { number } } } }",
            json!({}),
        )
        .await["cases"]["edges"][0]["node"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let by_number = client
        .ok(
            "query($s: String) { cases(search: $s) { edges { node { subject } } } }",
            json!({"s": number}),
        )
        .await;
    assert_eq!(names(&by_number, "cases"), ["Alta de autónomo"]);

    // The portal page's search box does the same.
    let server = t.app.server.url.clone();
    let b = Browser::start(false).await;
    b.goto(&format!("{server}/portal/login")).await;
    b.type_into("#email", "ana@example.com").await;
    b.type_into("#password", crate::portal::PASSWORD).await;
    b.click("form.stack button[type=submit]").await;
    b.wait_for("Alta de autónomo").await;
    b.goto(&format!("{server}/portal/cases?q=renta")).await;
    let page = b.wait_for("Declaración de la renta").await;
    assert!(!page.contains("Alta de autónomo"), "{page}");
}

#[tokio::test]
async fn the_contact_list_and_the_client_picker_find_what_people_type() {
    let app = spawn_app().await;
    for (name, email) in [
        ("Lucía Fernández", "lucia.fernandez@correo.es"),
        ("Fernando Núñez", "fnunez@example.com"),
        ("Marta Gil", "marta@example.com"),
    ] {
        app.admin
            .ok(
                "mutation($n: String!, $e: String!) { createContact(input: {name: $n, email: $e}) { id } }",
                json!({"n": name, "e": email}),
            )
            .await;
    }
    let b = Browser::start(true).await;
    b.goto(&format!("{}/admin/contacts", app.server.url)).await;
    crate::admin_browser::sign_in(&b, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    b.wait_for("Marta Gil").await;
    for (typed, expect) in [
        ("lucia", &["Lucía Fernández"][..]),
        ("fernan", &["Lucía Fernández", "Fernando Núñez"][..]),
        ("fnunez@example.com", &["Fernando Núñez"][..]),
    ] {
        b.type_into("#q", typed).await;
        b.click("form[role=search] button").await;
        b.wait_until(&format!(
            "return new URLSearchParams(location.search).get('q') === {typed:?} \
             && document.querySelectorAll('tbody tr').length === {};",
            expect.len()
        ))
        .await;
        let page = b.source().await;
        for name in expect {
            assert!(page.contains(name), "{typed}: {page}");
        }
        assert!(!page.contains("Marta Gil"), "{typed}: {page}");
    }
    b.check("admin-contacts-search").await;

    // The New-case form's client picker: part of a name, without its accent.
    b.goto(&format!("{}/admin/cases/new", app.server.url)).await;
    b.type_into("#f-client", "lucia").await;
    let page = b.wait_for("lucia.fernandez@correo.es").await;
    assert!(page.contains("Lucía Fernández"), "{page}");
    assert!(!page.contains("fnunez@example.com"), "{page}");
}

/// Records written before the words existed (a database migrated from an earlier version) are
/// found after the next start: the engine gives them their words once.
#[tokio::test]
async fn records_from_before_the_search_words_are_found_after_a_restart() {
    use crate::helpers::{TestDb, admin_handle, engine_config};
    use portico_engine::Engine;
    use portico_engine::metadata::EntityKind;
    use portico_engine::records::{Condition, ListQuery, Op};
    use sea_orm::{ConnectionTrait, Database};

    let db = TestDb::new().await;
    let (engine, maintenance) = Engine::open(engine_config(&db, None)).await.unwrap();
    let admin = admin_handle(&engine, &maintenance).await;
    let mut values = serde_json::Map::new();
    values.insert("name".into(), "Lucía Fernández".into());
    admin.create(EntityKind::Contact, values).await.unwrap();
    drop((admin, maintenance, engine));
    // As an older version left it: the record, and no words.
    let conn = Database::connect(&db.url).await.unwrap();
    conn.execute_unprepared("DELETE FROM search_words")
        .await
        .unwrap();
    let _ = conn.close().await;

    let (engine, maintenance) = Engine::open(engine_config(&db, None)).await.unwrap();
    let admin = admin_handle(&engine, &maintenance).await;
    let query = ListQuery {
        conditions: vec![Condition {
            key: "search".into(),
            op: Op::Search,
            value: "fernan".into(),
        }],
        ..ListQuery::default()
    };
    let page = admin.list(EntityKind::Contact, &query).await.unwrap();
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.records[0].get("name"), "Lucía Fernández");
}

/// The ids of `entity`'s records found by `typed`, as staff search.
pub(crate) async fn staff_search(
    admin: &portico_engine::StaffHandle,
    entity: portico_engine::metadata::EntityKind,
    typed: &str,
) -> Vec<i64> {
    use portico_engine::records::{Condition, ListQuery, Op};
    let query = ListQuery {
        conditions: vec![Condition {
            key: "search".into(),
            op: Op::Search,
            value: typed.into(),
        }],
        ..ListQuery::default()
    };
    let page = admin.list(entity, &query).await.unwrap();
    page.records.iter().map(|r| r.id).collect()
}

/// A case's number is found at every width: on PostgreSQL the words of a new case's number
/// are made in SQL as the case is inserted (one statement, see `records::write`), and they must
/// be the words the engine makes everywhere else: six digits at least, more when the id has
/// more, and the bare id.
#[tokio::test]
async fn a_case_is_found_by_its_number_at_every_width() {
    use crate::helpers::{TestDb, admin_handle, engine_config};
    use portico_engine::Engine;
    use portico_engine::metadata::EntityKind;
    use portico_engine::records::NewRecord;

    let db = TestDb::new().await;
    let (engine, maintenance) = Engine::open(engine_config(&db, None)).await.unwrap();
    let admin = admin_handle(&engine, &maintenance).await;
    let client = admin
        .create(
            EntityKind::Contact,
            json!({"name": "Acme"}).as_object().unwrap().clone(),
        )
        .await
        .unwrap();
    let ids = [7_i64, 999_999, 1_234_567];
    let records = ids
        .iter()
        .map(|id| NewRecord {
            id: Some(*id),
            created_at: None,
            values: json!({"subject": format!("Caso {id}"), "client": client.id})
                .as_object()
                .unwrap()
                .clone(),
        })
        .collect();
    admin.import(EntityKind::Case, records).await.unwrap();
    let found = |typed: &'static str| staff_search(&admin, EntityKind::Case, typed);
    assert_eq!(found("CAS-000007").await, [7]);
    assert_eq!(found("000007").await, [7]);
    assert_eq!(found("7").await, [7]);
    assert_eq!(found("CAS-999999").await, [999_999]);
    assert_eq!(found("CAS-1234567").await, [1_234_567]);
    assert_eq!(found("1234567").await, [1_234_567]);
    // The words stored, as the engine makes them in Rust (SQLite) and in SQL (PostgreSQL): six
    // digits at least, no six-digit cut of a longer number, the bare id, each word once.
    let conn = sea_orm::Database::connect(&db.url).await.unwrap();
    for (id, expected) in [
        (7, vec!["000007", "7", "cas", "caso"]),
        (1_234_567, vec!["1234567", "cas", "caso"]),
    ] {
        use sea_orm::ConnectionTrait;
        let rows = conn
            .query_all_raw(sea_orm::Statement::from_string(
                conn.get_database_backend(),
                format!(
                    "SELECT word FROM search_words WHERE entity = 'CASE' AND record_id = {id} ORDER BY word"
                ),
            ))
            .await
            .unwrap();
        let words: Vec<String> = rows
            .iter()
            .map(|r| r.try_get_by_index(0).unwrap())
            .collect();
        assert_eq!(words, expected, "case {id}");
    }
    let _ = conn.close().await;
    // Every case has "cas" once.
    let mut all = found("cas").await;
    all.sort_unstable();
    assert_eq!(all, ids);
    // A new case after them gets the next id, and its words too.
    let next = admin
        .create(
            EntityKind::Case,
            json!({"subject": "Siguiente", "client": client.id})
                .as_object()
                .unwrap()
                .clone(),
        )
        .await
        .unwrap();
    assert_eq!(found("siguiente").await, [next.id]);
    let number = format!("CAS-{:06}", next.id);
    assert_eq!(
        staff_search(&admin, EntityKind::Case, &number).await,
        [next.id]
    );
}
