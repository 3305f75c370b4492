//! Case documents end to end: multipart uploads, folders, versions, renames, deletes, ordered
//! and searched lists, streamed downloads with ranges, the size limit and the content sniff;
//! then sharing with portal contacts, client uploads and the portal's downloads.

use crate::helpers::{Client, code, spawn_app_with};
use crate::portal::{id, portal_app};
use serde_json::{Value, json};

const UPLOAD: &str = "mutation($c: ID!, $f: ID, $file: Upload!) { uploadDocument(caseId: $c, folderId: $f, file: $file) { id name type origin version size contentType folderId createdBy { name } uploadedBy { name } } }";
const LIST: &str = "query($id: ID!, $o: [DocumentOrderBy!], $s: String) { case(id: $id) { documents(orderBy: $o, search: $s) { id name version } } }";

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn case(admin: &Client) -> String {
    id(&admin
        .ok(
            "mutation { createCase(input: {subject: \"Docs\"}) { id } }",
            json!({}),
        )
        .await["createCase"])
}

#[tokio::test]
async fn staff_documents_folders_versions_and_downloads() {
    let app = spawn_app_with(&[("PORTICO_MAX_UPLOAD_BYTES", "100000")]).await;
    let admin = &app.admin;
    let case_id = case(admin).await;
    let pdf = b"%PDF-1.7\nfirst version\n".to_vec();
    let up = admin
        .upload(UPLOAD, json!({"c": case_id}), "../../etc/Invoice.pdf", &pdf)
        .await["uploadDocument"]
        .clone();
    // The name loses its path; the type comes from the name, not the client's claim.
    assert_eq!(up["name"], "Invoice.pdf");
    assert_eq!(up["contentType"], "application/pdf");
    assert_eq!(up["type"], "Document");
    assert_eq!(up["origin"], "STAFF");
    assert_eq!(up["version"], 1);
    assert_eq!(up["size"], pdf.len() as f64);
    assert_eq!(up["createdBy"]["name"], "Administrator");
    let doc = id(&up);

    // Download: type, attachment, length, ranges.
    let res = admin.get_file(&format!("/files/{doc}"), None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        disposition.starts_with("attachment; filename=\"Invoice.pdf\""),
        "{disposition}"
    );
    assert_eq!(res.headers()["accept-ranges"], "bytes");
    assert_eq!(res.bytes().await.unwrap().as_ref(), pdf.as_slice());
    let part = admin
        .get_file(&format!("/files/{doc}"), Some("bytes=0-3"))
        .await;
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 0-3/{}", pdf.len()).as_str()
    );
    assert_eq!(part.bytes().await.unwrap().as_ref(), b"%PDF");
    let tail = admin
        .get_file(&format!("/files/{doc}"), Some("bytes=-8"))
        .await;
    assert_eq!(tail.bytes().await.unwrap().as_ref(), b"version\n");
    let bad = admin
        .get_file(&format!("/files/{doc}"), Some("bytes=5000-"))
        .await;
    assert_eq!(bad.status(), 416);
    // No token: 401 with the stable code.
    let anon = app.client().get_file(&format!("/files/{doc}"), None).await;
    assert_eq!(anon.status(), 401);
    let body: Value = anon.json().await.unwrap();
    assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED");
    assert_eq!(admin.get_file("/files/999999", None).await.status(), 404);
    assert_eq!(
        admin.get_file("/files/..%2F..%2Fetc", None).await.status(),
        404
    );

    // New content: version 2; the download serves it.
    let replaced = admin
        .upload(
            "mutation($id: ID!, $file: Upload!) { replaceDocumentContent(id: $id, file: $file) { version size name } }",
            json!({"id": doc}),
            "scan.pdf",
            b"%PDF-1.7\nsecond version, longer\n",
        )
        .await;
    assert_eq!(replaced["replaceDocumentContent"]["version"], 2);
    assert_eq!(replaced["replaceDocumentContent"]["name"], "Invoice.pdf");
    let res = admin.get_file(&format!("/files/{doc}"), None).await;
    assert_eq!(
        res.bytes().await.unwrap().as_ref(),
        b"%PDF-1.7\nsecond version, longer\n"
    );

    // Folders, and more documents to order and search.
    let folder = id(&admin
        .ok(
            "mutation($c: ID!) { createFolder(caseId: $c, name: \"Client uploads\") { id name } }",
            json!({"c": case_id}),
        )
        .await["createFolder"]);
    let in_folder = admin
        .upload(
            UPLOAD,
            json!({"c": case_id, "f": folder}),
            "alpha.txt",
            b"a",
        )
        .await;
    assert_eq!(in_folder["uploadDocument"]["folderId"], folder);
    admin
        .upload(UPLOAD, json!({"c": case_id}), "Zulu report.txt", b"z")
        .await;
    admin
        .ok(
            "mutation($id: ID!) { renameDocument(id: $id, name: \"Beta invoice.pdf\") { name } }",
            json!({"id": doc}),
        )
        .await;
    let by = |field: &str, dir: &str| json!([{"field": field, "direction": dir}]);
    let list = |o: Value, s: Option<&str>| {
        let admin = admin.clone();
        let case_id = case_id.clone();
        let s = s.map(str::to_owned);
        async move {
            names(
                &admin.ok(LIST, json!({"id": case_id, "o": o, "s": s})).await["case"]["documents"],
            )
        }
    };
    assert_eq!(
        list(by("NAME", "ASC"), None).await,
        ["Beta invoice.pdf", "Zulu report.txt", "alpha.txt"]
    );
    assert_eq!(
        list(by("CREATED", "DESC"), None).await,
        ["Zulu report.txt", "alpha.txt", "Beta invoice.pdf"]
    );
    // The rename is the latest activity.
    assert_eq!(
        list(by("ACTIVITY", "DESC"), None).await[0],
        "Beta invoice.pdf"
    );
    assert_eq!(
        list(by("NAME", "ASC"), Some("INVOICE")).await,
        ["Beta invoice.pdf"]
    );
    let folders = admin
        .ok(
            "query($id: ID!) { case(id: $id) { folders { name } } }",
            json!({"id": case_id}),
        )
        .await;
    assert_eq!(
        folders["case"]["folders"],
        json!([{"name": "Client uploads"}])
    );

    // Too big: 413, naming the file; nothing stored.
    let (status, body) = admin
        .upload_raw(
            UPLOAD,
            json!({"c": case_id}),
            "big.bin",
            "application/octet-stream",
            &vec![7u8; 150_000],
        )
        .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "file");
    // The JSON parts before the files are read into memory: they are kept small.
    let padding = "x".repeat(3 * 1024 * 1024);
    let (status, body) = admin
        .upload_raw(
            UPLOAD,
            json!({"c": case_id, "pad": padding}),
            "a.txt",
            "text/plain",
            b"a",
        )
        .await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "operations");
    // A program dressed as a PDF is refused.
    let (_, body) = admin
        .upload_raw(
            UPLOAD,
            json!({"c": case_id}),
            "invoice.pdf",
            "application/pdf",
            b"MZ\x90\x00\x03rest",
        )
        .await;
    assert_eq!(code(&body["errors"][0]), "VALIDATION", "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "file");
    assert_eq!(list(by("NAME", "ASC"), None).await.len(), 3);
    // A multipart request authenticated by cookie alone needs a preflight header (CSRF).
    let res = app
        .client()
        .http
        .post(format!("{}/graphql", app.server.url))
        .header("content-type", "multipart/form-data; boundary=x")
        .header(
            "cookie",
            format!("portico_session={}", admin.token.as_deref().unwrap()),
        )
        .body("--x--\r\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);

    // Delete: gone from the case and its download.
    let deleted = admin
        .ok(
            "mutation($id: ID!) { deleteDocument(id: $id) }",
            json!({"id": doc}),
        )
        .await;
    assert_eq!(deleted["deleteDocument"], true);
    assert_eq!(
        admin
            .get_file(&format!("/files/{doc}"), None)
            .await
            .status(),
        404
    );
    assert_eq!(
        list(by("NAME", "ASC"), None).await,
        ["Zulu report.txt", "alpha.txt"]
    );
    let log = admin
        .ok(
            "query($id: ID!) { auditLog(entity: CASE, id: $id) { action } }",
            json!({"id": case_id}),
        )
        .await
        .to_string();
    for action in [
        "document_uploaded",
        "document_replaced",
        "document_renamed",
        "document_deleted",
    ] {
        assert!(log.contains(action), "{action} in {log}");
    }
}

#[tokio::test]
async fn sharing_client_uploads_and_portal_downloads() {
    let t = portal_app().await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    let dan = t
        .create_contact(json!({"name": "Dan", "email": "dan@example.com"}))
        .await;
    let case_id = t.create_case(json!({"subject": "Shared", "owner": t.app.admin.ok("{ me { id } }", json!({})).await["me"]["id"]})).await;
    let other_case = t.create_case(json!({"subject": "Dan's"})).await;
    t.link(&case_id, &carla).await;
    t.link(&other_case, &dan).await;
    t.set_access(&case_id, &carla, true, false).await;
    t.set_access(&other_case, &dan, true, true).await;
    let carla_portal = t.accept_mailed("carla@example.com", 1).await;
    let dan_portal = t.accept_mailed("dan@example.com", 1).await;

    let staff = &t.manager;
    let a = id(&staff
        .upload(UPLOAD, json!({"c": case_id}), "a.pdf", b"%PDF a")
        .await["uploadDocument"]);
    let b = id(&staff
        .upload(UPLOAD, json!({"c": case_id}), "b.pdf", b"%PDF b")
        .await["uploadDocument"]);
    let dans_doc = id(&staff
        .upload(UPLOAD, json!({"c": other_case}), "d.pdf", b"%PDF d")
        .await["uploadDocument"]);
    let share = "mutation($c: ID!, $p: ID!, $d: [ID!]!) { shareDocuments(caseId: $c, contactId: $p, documentIds: $d) { name } }";
    // Only to a contact with portal access to the case.
    let e = staff
        .err(share, json!({"c": case_id, "p": dan, "d": [a]}))
        .await;
    assert_eq!(e["extensions"]["field"], "contactId");
    let shared = staff
        .ok(share, json!({"c": case_id, "p": carla, "d": [a]}))
        .await;
    assert_eq!(names(&shared["shareDocuments"]), ["a.pdf"]);
    staff
        .ok(share, json!({"c": other_case, "p": dan, "d": [dans_doc]}))
        .await;

    // The portal lists what is shared; downloads wait for "can download".
    let portal_list =
        "query($c: ID!) { documents(caseId: $c, orderBy: [{field: NAME}]) { id name origin } }";
    let seen = carla_portal.ok(portal_list, json!({"c": case_id})).await;
    assert_eq!(names(&seen["documents"]), ["a.pdf"]);
    let res = carla_portal
        .get_file(&format!("/portal/files/{a}"), None)
        .await;
    assert_eq!(res.status(), 403);
    t.set_access(&case_id, &carla, true, true).await;
    let res = carla_portal
        .get_file(&format!("/portal/files/{a}"), None)
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"%PDF a");
    // Not shared, another user's, a staff endpoint: not found or unauthenticated.
    assert_eq!(
        carla_portal
            .get_file(&format!("/portal/files/{b}"), None)
            .await
            .status(),
        404
    );
    assert_eq!(
        carla_portal
            .get_file(&format!("/portal/files/{dans_doc}"), None)
            .await
            .status(),
        404
    );
    assert_eq!(
        dan_portal
            .get_file(&format!("/portal/files/{a}"), None)
            .await
            .status(),
        404
    );
    assert_eq!(
        carla_portal
            .get_file(&format!("/files/{a}"), None)
            .await
            .status(),
        401
    );
    assert_eq!(
        staff
            .get_file(&format!("/portal/files/{a}"), None)
            .await
            .status(),
        401
    );
    let e = carla_portal
        .err(portal_list, json!({"c": other_case}))
        .await;
    assert_eq!(code(&e), "NOT_FOUND");

    // A client upload, into the folder staff made.
    let folder = id(&staff
        .ok(
            "mutation($c: ID!) { createFolder(caseId: $c, name: \"From you\") { id } }",
            json!({"c": case_id}),
        )
        .await["createFolder"]);
    let folders = carla_portal
        .ok(
            "query($c: ID!) { folders(caseId: $c) { id name } }",
            json!({"c": case_id}),
        )
        .await;
    assert_eq!(folders["folders"][0]["name"], "From you");
    let mine = carla_portal
        .upload(
            UPLOAD,
            json!({"c": case_id, "f": folder}),
            "receipt.png",
            b"\x89PNG\r\n\x1a\n",
        )
        .await["uploadDocument"]
        .clone();
    assert_eq!(mine["type"], "Document (Portal)");
    assert_eq!(mine["origin"], "CLIENT_PORTAL");
    assert_eq!(mine["createdBy"]["name"], "Administrator");
    assert_eq!(mine["uploadedBy"]["name"], "Carla");
    assert_eq!(mine["folderId"], folder);
    let receipt = id(&mine);
    // Portal users cannot make folders: the operation does not exist for them.
    let e = carla_portal
        .err(
            "mutation($c: ID!) { createFolder(caseId: $c, name: \"X\") { id } }",
            json!({"c": case_id}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION");

    // Staff see it in the case and on Carla's shared list, marked as hers.
    let staff_docs = staff
        .ok("query($id: ID!) { case(id: $id) { documents(orderBy: [{field: NAME}]) { name origin type uploadedBy { id } sharedWith { id } } } }", json!({"id": case_id}))
        .await;
    let receipt_row = staff_docs["case"]["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "receipt.png")
        .unwrap()
        .clone();
    assert_eq!(receipt_row["origin"], "CLIENT_PORTAL");
    assert_eq!(receipt_row["uploadedBy"]["id"], carla);
    let shared_list = "query($c: ID!, $p: ID!) { sharedDocuments(caseId: $c, contactId: $p, orderBy: [{field: NAME}]) { name origin } }";
    let list = staff
        .ok(shared_list, json!({"c": case_id, "p": carla}))
        .await;
    assert_eq!(
        list["sharedDocuments"],
        json!([{"name": "a.pdf", "origin": "STAFF"}, {"name": "receipt.png", "origin": "CLIENT_PORTAL"}])
    );
    let candidates = staff
        .ok("query($c: ID!) { portalCandidates(caseId: $c) { contact { id } sharedDocumentCount } }", json!({"c": case_id}))
        .await;
    assert_eq!(candidates["portalCandidates"][0]["sharedDocumentCount"], 2);

    // Removing from the portal hides it from Carla; it stays in the case.
    let unshare = "mutation($c: ID!, $p: ID!, $d: ID!) { unshareDocument(caseId: $c, contactId: $p, documentId: $d) }";
    let done = staff
        .ok(unshare, json!({"c": case_id, "p": carla, "d": receipt}))
        .await;
    assert_eq!(done["unshareDocument"], true);
    assert_eq!(
        names(&carla_portal.ok(portal_list, json!({"c": case_id})).await["documents"]),
        ["a.pdf"]
    );
    assert_eq!(
        carla_portal
            .get_file(&format!("/portal/files/{receipt}"), None)
            .await
            .status(),
        404
    );
    assert_eq!(
        staff
            .get_file(&format!("/files/{receipt}"), None)
            .await
            .status(),
        200
    );

    // A new version shows on the portal; a delete removes it there too.
    staff
        .upload(
            "mutation($id: ID!, $file: Upload!) { replaceDocumentContent(id: $id, file: $file) { version } }",
            json!({"id": a}),
            "a.pdf",
            b"%PDF a, edited",
        )
        .await;
    let res = carla_portal
        .get_file(&format!("/portal/files/{a}"), None)
        .await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), b"%PDF a, edited");
    staff
        .ok(
            "mutation($id: ID!) { deleteDocument(id: $id) }",
            json!({"id": a}),
        )
        .await;
    assert!(
        carla_portal.ok(portal_list, json!({"c": case_id})).await["documents"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Revoked access: nothing of the case on the portal.
    t.set_access(&other_case, &dan, false, false).await;
    assert_eq!(
        dan_portal
            .get_file(&format!("/portal/files/{dans_doc}"), None)
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn bytes_nothing_refers_to_are_removed() {
    let dir = crate::helpers::TempDir::new();
    // No grace period: what nothing refers to goes at once.
    let store = portico_engine::documents::LocalBlobStore::new(dir.0.join("files"))
        .with_grace(std::time::Duration::ZERO);
    sweep_removes_only_unused_bytes(std::sync::Arc::new(store)).await;
}

/// Deleting a document removes its bytes, the sweep finds what a crash left, the rest stays:
/// on any store given (with no grace period).
pub async fn sweep_removes_only_unused_bytes(
    store: std::sync::Arc<dyn portico_engine::documents::BlobStore>,
) {
    use portico_engine::Engine;
    use portico_engine::documents::Upload;
    use portico_engine::metadata::EntityKind;
    let db = crate::helpers::TestDb::new().await;
    let (engine, maintenance) =
        Engine::open(crate::helpers::engine_config(&db, Some(store.clone())))
            .await
            .unwrap();
    let p = crate::helpers::admin_handle(&engine, &maintenance).await;
    let mut values = serde_json::Map::new();
    values.insert("subject".into(), json!("Sweep"));
    let case = p.create(EntityKind::Case, values).await.unwrap();
    let upload = |name: &str, bytes: &'static [u8]| {
        let name = name.to_owned();
        let p = p.clone();
        let case_id = case.id;
        async move {
            let mut content = bytes;
            p.upload_document(
                case_id,
                None,
                Upload {
                    filename: name,
                    content_type: None,
                    content: &mut content,
                },
            )
            .await
            .unwrap()
        }
    };
    let keep = upload("keep.txt", b"keep these bytes").await;
    let gone = upload("gone.txt", b"drop these bytes").await;
    let ok = |_: &[u8]| Ok(());
    let orphan = store
        .put(&mut &b"left by a crash"[..], 100, &ok)
        .await
        .unwrap();
    assert_eq!(store.names().await.unwrap().len(), 3);

    // Deleting a document removes its bytes; the sweep finds the orphan; the rest stays.
    p.delete_document(gone.id).await.unwrap();
    assert!(store.open(&gone.blob, None).await.is_err());
    assert_eq!(engine.sweep_blobs().await.unwrap(), 1);
    assert!(store.open(&orphan.hash, None).await.is_err());
    assert!(store.open(&keep.blob, None).await.is_ok());
    assert_eq!(store.names().await.unwrap(), vec![keep.blob.clone()]);
    let download = p.download(keep.id).await.unwrap();
    let mut back = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut download.open(None).await.unwrap(), &mut back)
        .await
        .unwrap();
    assert_eq!(back, b"keep these bytes");
}
