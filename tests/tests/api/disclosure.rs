//! Finding 13 of the second security review, replayed as it was made: downloads and GraphQL
//! answers without `Cache-Control` (a shared cache or the browser's disk could keep a
//! signed-in person's data), a folder id from another case answered differently from a
//! missing one, and a deleted contact's portal session still accepted from the cache.

use crate::portal::portal_app;
use crate::portal_pages::a_client_with_a_case;
use serde_json::json;

#[tokio::test]
async fn answers_behind_a_sign_in_are_never_cached() {
    let t = portal_app().await;
    let (_, case) = a_client_with_a_case(&t).await;
    let carla = t.accept_mailed("carla@example.com", 1).await;
    let doc = carla
        .upload(
            "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }",
            json!({"c": case}),
            "receipt.txt",
            b"paid",
        )
        .await["uploadDocument"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let base = &t.app.server.url;
    let http = reqwest::Client::new();
    let graphql = http
        .post(format!("{base}/graphql"))
        .bearer_auth(t.manager.token.as_deref().unwrap())
        .json(&json!({"query": "{ cases { totalCount } }"}))
        .send()
        .await
        .unwrap();
    let portal = http
        .post(format!("{base}/portal/graphql"))
        .bearer_auth(carla.token.as_deref().unwrap())
        .json(&json!({"query": "{ me { contact { name } } }"}))
        .send()
        .await
        .unwrap();
    let staff_file = t.manager.get_file(&format!("/files/{doc}"), None).await;
    let portal_file = carla.get_file(&format!("/portal/files/{doc}"), None).await;
    let missing = t.manager.get_file("/files/999999", None).await;
    for (what, res) in [
        ("staff GraphQL", graphql),
        ("portal GraphQL", portal),
        ("staff download", staff_file),
        ("portal download", portal_file),
        ("a missing download", missing),
    ] {
        assert_eq!(
            res.headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap().to_owned())
                .as_deref(),
            Some("private, no-store"),
            "{what}"
        );
    }
    // What may be kept still says so: the admin UI's hashed assets.
    let admin = http.get(format!("{base}/admin")).send().await.unwrap();
    assert_eq!(admin.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn a_folder_of_another_case_is_answered_as_a_missing_one() {
    let t = portal_app().await;
    let (_, case) = a_client_with_a_case(&t).await;
    let carla = t.accept_mailed("carla@example.com", 1).await;
    let other = t.create_case(json!({"subject": "Not hers"})).await;
    let theirs = t
        .manager
        .ok(
            "mutation($c: ID!) { createFolder(caseId: $c, name: \"Private\") { id } }",
            json!({"c": other}),
        )
        .await["createFolder"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let upload = "mutation($c: ID!, $f: ID, $file: Upload!) { uploadDocument(caseId: $c, folderId: $f, file: $file) { id } }";
    // The review's guesses: an id that exists in another case, and one that exists nowhere.
    let mut answers = Vec::new();
    for folder in [theirs.as_str(), "999999"] {
        let (_, body) = carla
            .upload_raw(
                upload,
                json!({"c": case, "f": folder}),
                "a.txt",
                "text/plain",
                b"x",
            )
            .await;
        let e = body["errors"][0].clone();
        assert_eq!(e["extensions"]["code"], "NOT_FOUND", "{body}");
        answers.push(e["message"].as_str().unwrap().replace(folder, "<id>"));
    }
    assert_eq!(answers[0], answers[1]);
    // Staff get the same for a parent folder of another case.
    let e = t
        .manager
        .err(
            "mutation($c: ID!, $p: ID) { createFolder(caseId: $c, name: \"x\", parentId: $p) { id } }",
            json!({"c": case, "p": theirs}),
        )
        .await;
    assert_eq!(e["extensions"]["code"], "NOT_FOUND", "{e}");
}

#[tokio::test]
async fn a_deleted_contacts_session_ends_at_once() {
    let t = portal_app().await;
    let (carla_id, case) = a_client_with_a_case(&t).await;
    let carla = t.accept_mailed("carla@example.com", 1).await;
    let me = "{ me { contact { name } } }";
    // Used once, so the session is in the process's cache.
    assert_eq!(
        carla.ok(me, json!({})).await["me"]["contact"]["name"],
        "Carla"
    );
    t.manager
        .ok(
            "mutation($c: ID!, $k: ID!) { removeCaseContact(caseId: $c, contactId: $k) }",
            json!({"c": case, "k": carla_id}),
        )
        .await;
    let deleted = t
        .manager
        .ok(
            "mutation($k: ID!) { deleteContact(id: $k) }",
            json!({"k": carla_id}),
        )
        .await;
    assert_eq!(deleted["deleteContact"], true);
    let e = carla.err(me, json!({})).await;
    assert_eq!(e["extensions"]["code"], "UNAUTHENTICATED", "{e}");
    let res = carla.get_file("/portal/files/1", None).await;
    assert_eq!(res.status(), 401);
}
