//! Documents sent from the portal's pages: the case page's upload form and attachments on a new
//! case, over real HTTP as a browser without JavaScript sends them; the limits stated and
//! enforced, and the forged or misdirected uploads of an attacker refused with nothing stored.

use crate::portal::{PortalApp, portal_app_with};
use crate::portal_pages::{Browser, a_client_with_a_case};
use serde_json::{Value, json};

const LIMITS: [(&str, &str); 2] = [
    ("PORTICO_MAX_UPLOAD_BYTES", "100000"),
    ("PORTICO_MAX_UPLOAD_FILES", "3"),
];

/// The case's documents as staff see them: (name, origin, folder id).
async fn stored(t: &PortalApp, case: &str) -> Vec<(String, String, Value)> {
    let docs = t
        .manager
        .ok(
            "query($c: ID!) { case(id: $c) { documents(orderBy: [{field: NAME}]) { name origin folderId } } }",
            json!({"c": case}),
        )
        .await;
    docs["case"]["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_owned(),
                d["origin"].as_str().unwrap().to_owned(),
                d["folderId"].clone(),
            )
        })
        .collect()
}

async fn signed_in_client() -> (PortalApp, String, Browser) {
    let t = portal_app_with(&LIMITS).await;
    let (_, case) = a_client_with_a_case(&t).await;
    t.accept_mailed("carla@example.com", 1).await;
    let mut b = Browser::new(&t.app.server.url);
    b.language = Some("en");
    b.sign_in("carla@example.com").await;
    (t, case, b)
}

#[tokio::test]
async fn a_client_sends_documents_from_the_case_page() {
    let (t, case, mut b) = signed_in_client().await;
    let page = b.get(&format!("/portal/cases/{case}")).await;
    assert!(
        page.body
            .contains(&format!("action=\"/portal/cases/{case}/documents\"")),
        "{}",
        page.body
    );
    // The limits are on the form before anyone tries; no folder choice while staff made none.
    assert!(page.body.contains("Up to 3 files at once"), "{}", page.body);
    assert!(!page.body.contains("name=\"folder\""));
    let folder = t
        .manager
        .ok(
            "mutation($c: ID!) { createFolder(caseId: $c, name: \"Client uploads\") { id } }",
            json!({"c": case}),
        )
        .await["createFolder"]["id"]
        .clone();
    let folder_id = folder.as_str().unwrap().to_owned();
    let page = b.get(&format!("/portal/cases/{case}")).await;
    assert!(
        page.body.contains(&format!(
            "<option value=\"{folder_id}\">Client uploads</option>"
        )),
        "{}",
        page.body
    );
    let token = b.csrf();
    let sent = b
        .post_parts(
            &format!("/portal/cases/{case}/documents"),
            &[
                ("csrf", None, token.as_bytes()),
                ("folder", None, folder_id.as_bytes()),
                ("files", Some("a.pdf"), b"%PDF-1.4 first"),
                ("files", Some("b.txt"), b"second"),
            ],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let back = sent.location.unwrap();
    assert_eq!(back, format!("/portal/cases/{case}?added=2#documents"));
    let page = b.get(&back).await;
    assert!(page.body.contains("2 documents added."), "{}", page.body);
    assert!(page.body.contains("Uploaded by you"));
    assert!(
        page.body.contains("<td>Client uploads</td>"),
        "{}",
        page.body
    );
    let docs = stored(&t, &case).await;
    assert_eq!(docs.len(), 2);
    assert!(
        docs.iter()
            .all(|(_, origin, f)| origin == "CLIENT_PORTAL" && *f == folder),
        "{docs:?}"
    );

    // One file over the limit: the page names it and states the limit; not even the small file
    // sent with it is stored.
    let big = vec![b'x'; 100_001];
    let refused = b
        .post_parts(
            &format!("/portal/cases/{case}/documents"),
            &[
                ("csrf", None, token.as_bytes()),
                ("files", Some("small.txt"), b"small"),
                ("files", Some("scan.pdf"), &big),
            ],
        )
        .await;
    assert_eq!(refused.status, 413);
    assert!(
        refused.body.contains("“scan.pdf” is larger than the limit")
            && refused.body.contains("Nothing was sent"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("<h1>"), "a page, not a bare 413");
    // More files than one form may carry.
    let many = b
        .post_parts(
            &format!("/portal/cases/{case}/documents"),
            &[
                ("csrf", None, token.as_bytes()),
                ("files", Some("1.txt"), b"1"),
                ("files", Some("2.txt"), b"2"),
                ("files", Some("3.txt"), b"3"),
                ("files", Some("4.txt"), b"4"),
            ],
        )
        .await;
    assert_eq!(many.status, 413);
    assert!(
        many.body.contains("at most 3 files at once"),
        "{}",
        many.body
    );
    assert_eq!(stored(&t, &case).await.len(), 2);

    // A program is refused by name; the other file of the form is added and the page says so.
    let mixed = b
        .post_parts(
            &format!("/portal/cases/{case}/documents"),
            &[
                ("csrf", None, token.as_bytes()),
                ("files", Some("setup.exe"), b"MZ\x90\x00 program"),
                ("files", Some("notes.txt"), b"notes"),
            ],
        )
        .await;
    assert_eq!(mixed.status, 422);
    assert!(
        mixed
            .body
            .contains("setup.exe: programs cannot be uploaded")
            && mixed.body.contains("1 document added."),
        "{}",
        mixed.body
    );
    let names: Vec<String> = stored(&t, &case).await.into_iter().map(|d| d.0).collect();
    assert_eq!(names, ["a.pdf", "b.txt", "notes.txt"]);

    // No file chosen (the browser still sends the empty input), and a folder that is not there.
    let none = b
        .post_parts(
            &format!("/portal/cases/{case}/documents"),
            &[("csrf", None, token.as_bytes()), ("files", Some(""), b"")],
        )
        .await;
    assert_eq!(none.status, 422);
    assert!(
        none.body.contains("Choose at least one file"),
        "{}",
        none.body
    );
    let elsewhere = b
        .post_parts(
            &format!("/portal/cases/{case}/documents"),
            &[
                ("csrf", None, token.as_bytes()),
                ("folder", None, b"999999"),
                ("files", Some("c.txt"), b"c"),
            ],
        )
        .await;
    assert_eq!(elsewhere.status, 422);
    assert!(elsewhere.body.contains("That folder does not exist"));
    assert_eq!(stored(&t, &case).await.len(), 3);
}

#[tokio::test]
async fn forged_and_misdirected_uploads_store_nothing() {
    let (t, case, mut b) = signed_in_client().await;
    let token = b.csrf();
    // Another site's form cannot read the token: a form without it (or with it after the file,
    // where it is never reached) goes back to the case page and nothing is written.
    let forged = b
        .post_parts(
            &format!("/portal/cases/{case}/documents"),
            &[
                ("files", Some("forged.txt"), b"forged"),
                ("csrf", None, token.as_bytes()),
            ],
        )
        .await;
    assert_eq!(forged.status, 303);
    assert_eq!(
        forged.location.as_deref(),
        Some(format!("/portal/cases/{case}").as_str())
    );
    let wrong = b
        .post_parts(
            &format!("/portal/cases/{case}/documents"),
            &[
                ("csrf", None, "0".repeat(64).as_bytes()),
                ("files", Some("forged.txt"), b"forged"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 303);
    assert!(stored(&t, &case).await.is_empty());

    // The ids of cases this client may not see, guessed: the same page as for no case at all.
    let other = t
        .create_case(json!({"subject": "Someone else's case"}))
        .await;
    let guessed = b
        .post_parts(
            &format!("/portal/cases/{other}/documents"),
            &[
                ("csrf", None, token.as_bytes()),
                ("files", Some("probe.txt"), b"probe"),
            ],
        )
        .await;
    let missing = b
        .post_parts(
            "/portal/cases/987654321/documents",
            &[
                ("csrf", None, token.as_bytes()),
                ("files", Some("probe.txt"), b"probe"),
            ],
        )
        .await;
    assert_eq!(guessed.status, 404);
    assert_eq!(missing.status, 404);
    // Identical but for the address echoed in the language switch.
    assert_eq!(
        guessed
            .body
            .replace(&format!("/portal/cases/{other}"), "/x"),
        missing.body.replace("/portal/cases/987654321", "/x")
    );
    assert!(stored(&t, &other).await.is_empty());

    // Signed out: to the sign-in page, back to the case after.
    let mut stranger = Browser::new(&t.app.server.url);
    stranger.get("/portal/login").await;
    let token = stranger.csrf();
    let anonymous = stranger
        .post_parts(
            &format!("/portal/cases/{case}/documents"),
            &[
                ("csrf", None, token.as_bytes()),
                ("files", Some("anon.txt"), b"anon"),
            ],
        )
        .await;
    assert_eq!(anonymous.status, 303);
    assert!(
        anonymous
            .location
            .unwrap()
            .starts_with("/portal/login?next=/portal/cases/")
    );
    assert!(stored(&t, &case).await.is_empty());
}

#[tokio::test]
async fn a_new_case_carries_its_attachments_or_nothing_is_opened() {
    let (t, _, mut b) = signed_in_client().await;
    let form = b.get("/portal/cases/new").await;
    assert!(
        form.body.contains("enctype=\"multipart/form-data\"")
            && form.body.contains("name=\"_files\"")
            && form.body.contains("Up to 3 files at once"),
        "{}",
        form.body
    );
    let token = b.csrf();
    let count = async |b: &mut Browser| {
        let list = b.get("/portal/cases").await;
        list.body
            .matches("<tr><td><a href=\"/portal/cases/")
            .count()
    };
    let before = count(&mut b).await;

    // A blank subject: the form comes back with the text kept and asks for the files again;
    // no case is opened and no file kept.
    let refused = b
        .post_parts(
            "/portal/cases/new",
            &[
                ("csrf", None, token.as_bytes()),
                ("subject", None, b" "),
                ("description", None, b"Two charges on the 3rd"),
                ("_files", Some("invoice.pdf"), b"%PDF-1.4 invoice"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("Two charges on the 3rd")
            && refused.body.contains("id=\"e-subject\"")
            && refused.body.contains("(invoice.pdf)")
            && refused.body.contains("please choose them again"),
        "{}",
        refused.body
    );
    // An attachment over the limit: named, with the limit; the case is not opened.
    let big = vec![b'x'; 100_001];
    let too_big = b
        .post_parts(
            "/portal/cases/new",
            &[
                ("csrf", None, token.as_bytes()),
                ("subject", None, b"Cargo duplicado"),
                ("description", None, b"Two charges on the 3rd"),
                ("_files", Some("scan.pdf"), &big),
            ],
        )
        .await;
    assert_eq!(too_big.status, 422);
    assert!(
        too_big.body.contains("“scan.pdf” is larger than the limit")
            && too_big.body.contains("Two charges on the 3rd")
            && too_big.body.contains("value=\"Cargo duplicado\""),
        "{}",
        too_big.body
    );
    // A program among the attachments: refused before anything is opened.
    let program = b
        .post_parts(
            "/portal/cases/new",
            &[
                ("csrf", None, token.as_bytes()),
                ("subject", None, b"Cargo duplicado"),
                ("_files", Some("setup.exe"), b"MZ\x90\x00 program"),
            ],
        )
        .await;
    assert_eq!(program.status, 422);
    assert!(
        program
            .body
            .contains("setup.exe: programs cannot be uploaded")
    );
    assert_eq!(count(&mut b).await, before);

    let made = b
        .post_parts(
            "/portal/cases/new",
            &[
                ("csrf", None, token.as_bytes()),
                ("subject", None, b"Cargo duplicado"),
                ("description", None, b"Two charges on the 3rd"),
                ("_files", Some("invoice.pdf"), b"%PDF-1.4 invoice"),
                ("_files", Some("statement.pdf"), b"%PDF-1.4 statement"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let location = made.location.unwrap();
    let id = location
        .strip_prefix("/portal/cases/")
        .and_then(|l| l.strip_suffix("?opened=1&added=2"))
        .unwrap_or_else(|| panic!("{location}"))
        .to_owned();
    // The case page leads with what happened and what happens next.
    let page = b.get(&location).await;
    assert!(
        page.body
            .contains(&format!("We have received your case CAS-{:0>6}", id))
            && page.body.contains("2 documents added"),
        "{}",
        page.body
    );
    let docs = stored(&t, &id).await;
    assert_eq!(
        docs.iter().map(|d| d.0.as_str()).collect::<Vec<_>>(),
        ["invoice.pdf", "statement.pdf"]
    );
    assert!(docs.iter().all(|d| d.1 == "CLIENT_PORTAL"));
    assert_eq!(count(&mut b).await, before + 1);
    let page = b.get(&location).await;
    assert!(page.body.contains("2 documents added."), "{}", page.body);

    // The form without files still works as a plain form (JavaScript or not, old browsers).
    let plain = b
        .post("/portal/cases/new", &[("subject", "Sin adjuntos")])
        .await;
    assert_eq!(plain.status, 303, "{}", plain.body);
}
