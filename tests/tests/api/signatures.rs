//! Signature requests: staff ask two contacts, in order, to sign a PDF of the case; each signs
//! with their typed name and their password asked again; the document's newest version carries
//! a certificate page per signer and PAdES signatures that poppler's `pdfsig` reports valid,
//! and invalid once a byte is changed. A wrong password, an empty name, the wrong turn, a
//! stranger, a file that is no PDF or too large are refused, and nothing is stored.

use crate::helpers::{TempDir, code};
use crate::portal::portal_app;
use serde_json::{Value, json};
use std::process::Command;

/// A one-page PDF written as simple producers write it (a classic cross-reference table).
pub fn sample_pdf(text: &str) -> Vec<u8> {
    let stream = format!("BT /F1 24 Tf 72 700 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// What `pdfsig` says of a file; fails the test, saying how to get it, when it is missing.
pub fn pdfsig(path: &std::path::Path) -> String {
    let out = Command::new("pdfsig")
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!("pdfsig is needed to check signed PDFs ({e}): apt-get install poppler-utils")
        });
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

const REQUEST: &str = "id state documents { id name } signatures { contact { name } declaredName signedAt declinedAt reason signedSha256 }";

#[tokio::test]
async fn two_clients_sign_a_pdf_in_turn_and_pdfsig_finds_both_signatures_valid() {
    let t = portal_app().await;
    let ana = t
        .create_contact(
            json!({"name": "Ana Pérez", "email": "ana@example.com", "portalUser": true}),
        )
        .await;
    let bea = t
        .create_contact(
            json!({"name": "Bea Gómez", "email": "bea@example.com", "portalUser": true}),
        )
        .await;
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com", "portalUser": true}))
        .await;
    let case = t
        .create_case(json!({"subject": "Compraventa", "client": ana}))
        .await;
    let other = t
        .create_case(json!({"subject": "Otro", "client": carla}))
        .await;
    t.manager
        .ok(
            "mutation($c: ID!, $p: ID!) { addCaseContact(caseId: $c, contactId: $p) { id } }",
            json!({"c": case, "p": bea}),
        )
        .await;
    t.set_access(&case, &ana, true, true).await;
    t.set_access(&case, &bea, true, true).await;
    t.set_access(&other, &carla, true, true).await;
    let upload = |name: &'static str, bytes: Vec<u8>| {
        let manager = t.manager.clone();
        let case = case.clone();
        async move {
            manager
                .upload(
                    "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }",
                    json!({"c": case}),
                    name,
                    &bytes,
                )
                .await["uploadDocument"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let original = sample_pdf("Contrato de compraventa");
    let contract = upload("contrato.pdf", original.clone()).await;
    let note = upload("nota.txt", b"una nota".to_vec()).await;
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(21 * 1024 * 1024, b' ');
    let huge = upload("enorme.pdf", big).await;

    // Refused, naming the document: none, not a PDF, too large.
    let ask = |doc: Option<&str>| {
        let manager = t.manager.clone();
        let input = json!({"caseId": case, "contactIds": [ana, bea], "kind": "SIGNATURE",
            "title": "Firma del contrato", "documentId": doc});
        async move {
            manager
                .raw(
                    &format!("mutation($i: CreateClientRequestInput!) {{ createClientRequest(input: $i) {{ {REQUEST} }} }}"),
                    json!({"i": input}),
                )
                .await
        }
    };
    for doc in [None, Some(note.as_str()), Some(huge.as_str())] {
        let body = ask(doc).await;
        assert_eq!(code(&body["errors"][0]), "VALIDATION", "{body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "documentId",
            "{body}"
        );
    }
    let made = ask(Some(&contract)).await;
    let id = made["data"]["createClientRequest"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{made}"))
        .to_owned();
    assert_eq!(
        made["data"]["createClientRequest"]["documents"],
        json!([{"id": contract, "name": "contrato.pdf"}])
    );

    let ana_c = t.accept_mailed("ana@example.com", 1).await;
    let bea_c = t.accept_mailed("bea@example.com", 1).await;
    let carla_c = t.accept_mailed("carla@example.com", 1).await;
    let sign = |client: &crate::helpers::Client, name: &str, password: &str| {
        let client = client.clone();
        let vars = json!({"r": id, "n": name, "p": password});
        async move {
            client
                .raw(
                    &format!("mutation($r: ID!, $n: String!, $p: String!) {{ signDocument(requestId: $r, fullName: $n, password: $p) {{ {REQUEST} }} }}"),
                    vars,
                )
                .await
        }
    };
    let versions = || {
        let manager = t.manager.clone();
        let contract = contract.clone();
        async move {
            manager
                .ok(
                    "query($d: ID!) { document(id: $d) { version } }",
                    json!({"d": contract}),
                )
                .await["document"]["version"]
                .as_i64()
                .unwrap()
        }
    };

    // Not yet Bea's turn; a stranger finds nothing; a wrong password or no name stores nothing.
    // Bea does not see it before her turn: her "To do" is empty and signing finds nothing.
    let todo = bea_c.ok("{ clientRequests { id } }", json!({})).await;
    assert_eq!(todo["clientRequests"], json!([]), "{todo}");
    let early = sign(&bea_c, "Bea Gómez", crate::portal::PASSWORD).await;
    assert_eq!(code(&early["errors"][0]), "NOT_FOUND", "{early}");
    let stranger = sign(&carla_c, "Carla", crate::portal::PASSWORD).await;
    assert_eq!(code(&stranger["errors"][0]), "NOT_FOUND", "{stranger}");
    let wrong = sign(&ana_c, "Ana Pérez", "not my password").await;
    assert_eq!(code(&wrong["errors"][0]), "VALIDATION", "{wrong}");
    assert_eq!(wrong["errors"][0]["extensions"]["field"], "password");
    let nameless = sign(&ana_c, "   ", crate::portal::PASSWORD).await;
    assert_eq!(
        nameless["errors"][0]["extensions"]["field"], "fullName",
        "{nameless}"
    );
    assert_eq!(versions().await, 1);

    // Ana signs, then Bea (who is told by email when her turn comes).
    let first = sign(&ana_c, "Ana Pérez López", crate::portal::PASSWORD).await;
    let first = &first["data"]["signDocument"];
    assert_eq!(first["state"], "OPEN", "{first}");
    assert_eq!(first["signatures"][0]["declaredName"], "Ana Pérez López");
    assert_eq!(versions().await, 2);
    // Her first email about it is the one saying it is her turn.
    let turn = t.mail("bea@example.com", 3).await.text();
    assert!(turn.contains("Firma del contrato"), "{turn}");
    let todo = bea_c.ok("{ clientRequests { id } }", json!({})).await;
    assert_eq!(todo["clientRequests"], json!([{"id": id}]), "{todo}");
    let second = sign(&bea_c, "Bea Gómez", crate::portal::PASSWORD).await;
    let second = &second["data"]["signDocument"];
    assert_eq!(second["state"], "SUBMITTED", "{second}");
    assert_eq!(versions().await, 3);

    // The newest version: the original bytes first, two certificate pages, two valid signatures.
    let signed = t
        .manager
        .get_file(&format!("/files/{contract}"), None)
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert_eq!(&signed[..original.len()], &original[..]);
    let dir = TempDir::new();
    let path = dir.0.join("firmado.pdf");
    std::fs::write(&path, &signed).unwrap();
    let report = pdfsig(&path);
    assert_eq!(report.matches("Signature is Valid").count(), 2, "{report}");
    assert!(report.contains("Total document signed"), "{report}");
    assert!(report.contains("ETSI.CAdES.detached"), "{report}");
    let hash = second["signatures"][1]["signedSha256"].as_str().unwrap();
    assert_eq!(hash.len(), 64);

    // One byte changed in what the signatures cover: pdfsig no longer calls them valid.
    let mut tampered = signed.clone();
    let at = tampered
        .windows(11)
        .position(|w| w == b"compraventa")
        .unwrap();
    tampered[at] = b'C';
    let path = dir.0.join("cambiado.pdf");
    std::fs::write(&path, &tampered).unwrap();
    let report = pdfsig(&path);
    assert!(!report.contains("Signature is Valid"), "{report}");

    // Every step is in the case's audit log.
    let log = t
        .manager
        .ok(
            "query($c: ID!) { auditLog(entity: CASE, id: $c) { action } }",
            json!({"c": case}),
        )
        .await;
    let actions: Vec<Value> = log["auditLog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].clone())
        .filter(|a| a.as_str().unwrap().starts_with("client_request"))
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "client_request_signed")
            .count(),
        2,
        "{actions:?}"
    );

    // The record of who signed outlives the document.
    t.manager
        .ok(
            "mutation($d: ID!) { deleteDocument(id: $d) }",
            json!({"d": contract}),
        )
        .await;
    let kept = t
        .manager
        .ok(
            &format!("query($c: ID!) {{ clientRequests(caseId: $c) {{ {REQUEST} }} }}"),
            json!({"c": case}),
        )
        .await;
    let records = &kept["clientRequests"][0]["signatures"];
    assert_eq!(records[0]["declaredName"], "Ana Pérez López", "{kept}");
    assert_eq!(records[1]["contact"]["name"], "Bea Gómez", "{kept}");
    assert_eq!(records[1]["signedSha256"], hash, "{kept}");
}

/// A signer who will not sign says why; staff see it and the request comes back to them.
#[tokio::test]
async fn a_client_declines_to_sign_saying_why() {
    let t = portal_app().await;
    let ana = t
        .create_contact(json!({"name": "Ana", "email": "ana@example.com", "portalUser": true}))
        .await;
    let case = t
        .create_case(json!({"subject": "Arras", "client": ana}))
        .await;
    t.set_access(&case, &ana, true, true).await;
    let doc = t
        .manager
        .upload(
            "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }",
            json!({"c": case}),
            "arras.pdf",
            &sample_pdf("Contrato de arras"),
        )
        .await["uploadDocument"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let made = t
        .manager
        .ok(
            "mutation($i: CreateClientRequestInput!) { createClientRequest(input: $i) { id } }",
            json!({"i": {"caseId": case, "contactIds": [ana], "kind": "SIGNATURE", "title": "Firma de arras", "documentId": doc}}),
        )
        .await;
    let id = made["createClientRequest"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = t.accept_mailed("ana@example.com", 1).await;
    let empty = client
        .raw(
            "mutation($r: ID!) { declineSignature(requestId: $r, reason: \" \") { state } }",
            json!({"r": id}),
        )
        .await;
    assert_eq!(
        empty["errors"][0]["extensions"]["field"], "reason",
        "{empty}"
    );
    let declined = client
        .ok(
            &format!("mutation($r: ID!) {{ declineSignature(requestId: $r, reason: \"La fecha está mal\") {{ {REQUEST} }} }}"),
            json!({"r": id}),
        )
        .await;
    assert_eq!(declined["declineSignature"]["state"], "SUBMITTED");
    assert_eq!(
        declined["declineSignature"]["signatures"][0]["reason"],
        "La fecha está mal"
    );
    let seen = t
        .manager
        .ok(
            &format!("query($c: ID!) {{ clientRequests(caseId: $c) {{ {REQUEST} }} }}"),
            json!({"c": case}),
        )
        .await;
    assert!(
        seen["clientRequests"][0]["signatures"][0]["declinedAt"].is_string(),
        "{seen}"
    );
}

/// The same as people do it in the two web UIs: staff ask for a signature on the case screen;
/// the client reads the PDF, mistypes the password (told beside the field, the name kept),
/// signs, and checks the signed file on the portal's verification page; staff see it signed
/// and check the file, and the unsigned original, on theirs.
#[tokio::test]
async fn a_client_signs_on_the_portal_and_both_sides_verify_the_file() {
    use crate::admin_browser::sign_in;
    use crate::portal::{PASSWORD, PUBLIC};
    use crate::webdriver::Browser;
    let t = portal_app().await;
    let server = t.app.server.url.clone();
    let disk = TempDir::new();
    let ana = t
        .create_contact(
            json!({"name": "Ana Pérez", "email": "ana@example.com", "portalUser": true}),
        )
        .await;
    let case = t
        .create_case(json!({"subject": "Compraventa", "client": ana}))
        .await;
    t.set_access(&case, &ana, true, false).await;
    let original = sample_pdf("Contrato de compraventa");
    let contract = t
        .manager
        .upload(
            "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }",
            json!({"c": case}),
            "contrato.pdf",
            &original,
        )
        .await["uploadDocument"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let b = Browser::start(true).await;
    b.goto(&format!("{server}/admin/cases/{case}")).await;
    sign_in(&b, "manager@example.com", "a long password").await;
    b.wait_for("Nada pedido todavía").await;
    b.click("#ask-client").await;
    b.wait_for("A quién se pide").await;
    b.click(&format!("#rq-to-{ana}")).await;
    b.click("#rq-kind-SIGNATURE").await;
    b.type_into("#rq-title", "Firma del contrato").await;
    b.select("#rq-document", &contract).await;
    b.click("#new-request button[type=submit]").await;
    b.wait_for("Petición «Firma del contrato» enviada al cliente.")
        .await;
    b.wait_for("pendiente de su firma").await;

    // The client, from the emailed links: the invitation, then the request.
    let invitation = t
        .mail("ana@example.com", 1)
        .await
        .link(&format!("{PUBLIC}/portal/invitation/"));
    let asked = t
        .mail("ana@example.com", 3)
        .await
        .link(&format!("{PUBLIC}/portal/requests/"));
    let c = Browser::start(true).await;
    c.goto(&invitation.replace(PUBLIC, &server)).await;
    c.type_into("#password", PASSWORD).await;
    c.type_into("#confirm", PASSWORD).await;
    c.click("form.stack button[type=submit]").await;
    c.wait_for("Pendiente").await;
    c.goto(&asked.replace(PUBLIC, &server)).await;
    c.wait_for("Su firma").await;
    // The document reads before signing, though downloads of this case are off.
    c.click("a[href$='/document']").await;
    assert_eq!(c.downloaded("contrato.pdf").await, original);
    c.type_into("#f-fullName", "Ana Pérez López").await;
    c.type_into("#f-password", "not my password").await;
    c.click("form[action$='/sign'] button[type=submit]").await;
    c.wait_for("Esta no es su contraseña del portal.").await;
    c.wait_for_value("#f-fullName", "Ana Pérez López").await;
    c.check("portal-request-sign").await;
    c.type_into("#f-password", PASSWORD).await;
    c.click("form[action$='/sign'] button[type=submit]").await;
    c.wait_for("Firmado. El documento firmado está en el caso")
        .await;

    // The signed file, checked on the portal.
    let signed = t
        .manager
        .get_file(&format!("/files/{contract}"), None)
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert!(
        pdfsig(&{
            let p = disk.0.join("check.pdf");
            std::fs::write(&p, &signed).unwrap();
            p
        })
        .contains("Signature is Valid")
    );
    std::fs::write(disk.0.join("firmado.pdf"), &signed).unwrap();
    std::fs::write(disk.0.join("original.pdf"), &original).unwrap();
    c.goto(&format!("{server}/portal/verify")).await;
    c.choose_files("#file", &[disk.0.join("firmado.pdf")]).await;
    c.click("form[action='/portal/verify'] button[type=submit]")
        .await;
    c.wait_for("Firmado con este portal:").await;
    c.wait_for("«Ana Pérez López»").await;
    c.check("portal-verify").await;

    // Staff: signed, and the verification screen tells the signed file from the original.
    b.refresh().await;
    b.wait_for("firmado como «Ana Pérez López»").await;
    b.element_screenshot("#requests", "admin-case-signed").await;
    b.goto(&format!("{server}/admin/verify")).await;
    b.wait_for("Comprobar un documento firmado").await;
    b.choose_files("#verify-file", &[disk.0.join("firmado.pdf")])
        .await;
    b.click("#verify-form button[type=submit]").await;
    b.wait_for("«firmado.pdf» se firmó aquí:").await;
    b.wait_for("Ana Pérez (“Ana Pérez López”)").await;
    b.check("admin-verify").await;
    b.choose_files("#verify-file", &[disk.0.join("original.pdf")])
        .await;
    b.click("#verify-form button[type=submit]").await;
    b.wait_for("«original.pdf» no se firmó aquí").await;
}

/// An admin replaces the generated key and certificate with the firm's own (made here with
/// openssl, as an admin would); a certificate for another key is refused; what is signed next
/// carries the firm's certificate.
#[tokio::test]
async fn an_admin_signs_with_the_firms_own_certificate() {
    let t = portal_app().await;
    let dir = TempDir::new();
    let make = |name: &str, cn: &str| {
        let out = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-days",
                "30",
            ])
            .arg("-keyout")
            .arg(dir.0.join(format!("{name}.key")))
            .arg("-out")
            .arg(dir.0.join(format!("{name}.crt")))
            .args(["-subj", &format!("/CN={cn}/O=Asesoria Perez")])
            .output()
            .unwrap_or_else(|e| {
                panic!("openssl makes the test's certificate ({e}): apt-get install openssl")
            });
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            std::fs::read_to_string(dir.0.join(format!("{name}.key"))).unwrap(),
            std::fs::read_to_string(dir.0.join(format!("{name}.crt"))).unwrap(),
        )
    };
    let (key, cert) = make("firm", "Asesoria Perez firma");
    let (_, other_cert) = make("other", "Otra");
    let read = "{ signingCertificate { subject notAfter sha256 } }";
    let e = t.manager.err(read, json!({})).await;
    assert_eq!(code(&e), "FORBIDDEN");
    let generated = t.app.admin.ok(read, json!({})).await;
    assert!(
        generated["signingCertificate"]["subject"]
            .as_str()
            .unwrap()
            .contains("document signing"),
        "{generated}"
    );
    let replace = "mutation($k: String!, $c: String!) { replaceSigningIdentity(privateKeyPem: $k, certificatePem: $c) { subject sha256 } }";
    let wrong = t
        .app
        .admin
        .raw(replace, json!({"k": key, "c": other_cert}))
        .await;
    assert_eq!(code(&wrong["errors"][0]), "VALIDATION", "{wrong}");
    assert_eq!(wrong["errors"][0]["extensions"]["field"], "certificatePem");
    // The admin pastes the firm's key and certificate on the Branding screen.
    {
        use crate::webdriver::Browser;
        let b = Browser::start(true).await;
        b.goto(&format!("{}/admin/branding", t.app.server.url))
            .await;
        crate::admin_browser::sign_in(
            &b,
            crate::helpers::ADMIN_EMAIL,
            crate::helpers::ADMIN_PASSWORD,
        )
        .await;
        b.wait_for("Certificado de firma").await;
        b.wait_for("document signing").await;
        b.type_into("#sig-key", &key).await;
        b.type_into("#sig-cert", &cert).await;
        b.click("#signing-identity button[type=submit]").await;
        b.wait_for("A partir de ahora los documentos se firman con este certificado.")
            .await;
        b.wait_for("Asesoria Perez firma").await;
        b.element_screenshot("#signing-identity", "admin-signing-certificate")
            .await;
    }
    let now = t.app.admin.ok(read, json!({})).await;
    assert!(
        now["signingCertificate"]["subject"]
            .as_str()
            .unwrap()
            .contains("Asesoria Perez firma"),
        "{now}"
    );

    // The next signature is made with it.
    let ana = t
        .create_contact(json!({"name": "Ana", "email": "ana@example.com", "portalUser": true}))
        .await;
    let case = t
        .create_case(json!({"subject": "Arras", "client": ana}))
        .await;
    t.set_access(&case, &ana, true, true).await;
    let doc = t
        .manager
        .upload(
            "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }",
            json!({"c": case}),
            "arras.pdf",
            &sample_pdf("Contrato de arras"),
        )
        .await["uploadDocument"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let made = t
        .manager
        .ok(
            "mutation($i: CreateClientRequestInput!) { createClientRequest(input: $i) { id } }",
            json!({"i": {"caseId": case, "contactIds": [ana], "kind": "SIGNATURE", "title": "Firma", "documentId": doc}}),
        )
        .await;
    let id = made["createClientRequest"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = t.accept_mailed("ana@example.com", 1).await;
    client
        .ok(
            "mutation($r: ID!, $p: String!) { signDocument(requestId: $r, fullName: \"Ana\", password: $p) { state } }",
            json!({"r": id, "p": crate::portal::PASSWORD}),
        )
        .await;
    let signed = t
        .manager
        .get_file(&format!("/files/{doc}"), None)
        .await
        .bytes()
        .await
        .unwrap();
    let path = dir.0.join("firmado.pdf");
    std::fs::write(&path, &signed).unwrap();
    let report = pdfsig(&path);
    assert!(report.contains("Signature is Valid"), "{report}");
    assert!(report.contains("Asesoria Perez firma"), "{report}");
}
