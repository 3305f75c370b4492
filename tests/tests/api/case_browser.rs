//! A staff member (with the portal setting, not an admin) works a case in the browser: uploads
//! several documents, makes a folder and files into it, renames, replaces with a new version,
//! downloads, deletes (after a dialog Escape closes); links a contact; gives portal access,
//! meets the email conflict dialog and its links; sets who is notified and meets the owner
//! rule; reads the audit log. A contact that cannot be a portal user says why.

use crate::portal::{id, portal_app};
use crate::webdriver::Browser;
use serde_json::json;

fn disk() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("portico-case-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, bytes) in [
        ("borrador.pdf", b"%PDF-1.4 borrador".as_slice()),
        ("notas.txt", b"notas de la llamada".as_slice()),
        ("firmado.pdf", b"%PDF-1.4 firmado".as_slice()),
        ("factura.pdf", b"%PDF-1.4 factura".as_slice()),
    ] {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    dir
}

#[tokio::test]
async fn staff_work_a_case_in_the_browser() {
    let t = portal_app().await;
    let server = t.app.server.url.clone();
    let manager = id(&t.manager.ok("{ me { id } }", json!({})).await["me"]);
    let ana = t
        .create_contact(json!({"name": "Ana Ruiz", "email": "ana@example.com"}))
        .await;
    let beto = t
        .create_contact(json!({"name": "Beto Gil", "email": "compartido@example.com"}))
        .await;
    let carmen = t
        .create_contact(json!({"name": "Carmen Gil", "email": "compartido@example.com"}))
        .await;
    let org = t
        .create_contact(json!({"name": "Gil Hermanos SL", "kind": "ORGANISATION"}))
        .await;
    let case = t
        .create_case(json!({"subject": "Herencia de los Gil", "client": ana, "owner": manager}))
        .await;
    t.link(&case, &beto).await;
    let files = disk();
    let docs = async || {
        t.manager
            .ok(
                "query($c: ID!) { case(id: $c) { documents(orderBy: [{field: NAME}]) { id name version folderId } } }",
                json!({"c": case}),
            )
            .await["case"]["documents"]
            .clone()
    };

    let b = Browser::start(true).await;
    b.goto(&format!("{server}/admin/cases/{case}")).await;
    b.wait_for("Acceso del personal").await;
    b.type_into("#email", "manager@example.com").await;
    b.type_into("#password", "a long password").await;
    b.click("form button[type=submit]").await;
    b.wait_for("Herencia de los Gil").await;
    // Not an admin: no field editor, users or emails in the menu.
    let page = b.wait_for("id=\"up-files\"").await;
    assert!(!page.contains("href=\"/admin/fields/CASE\""), "{page}");

    // Two files at once.
    b.choose_files(
        "#up-files",
        &[files.join("borrador.pdf"), files.join("notas.txt")],
    )
    .await;
    b.wait_for("borrador.pdf</a>").await;
    b.wait_for("notas.txt</a>").await;

    // A file dropped on the upload area (a drop as the browser delivers it).
    b.run(
        "const dt = new DataTransfer(); \
         dt.items.add(new File(['%PDF-1.4 arrastrado'], 'arrastrado.pdf', {type: 'application/pdf'})); \
         document.querySelector('.drop').dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt})); \
         return null;",
    )
    .await;
    b.wait_for("arrastrado.pdf</a>").await;
    let list = docs().await;
    let dropped = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "arrastrado.pdf")
        .map(id)
        .expect("the dropped file");
    let draft = id(&list[1]);
    let notes = id(&list[2]);

    // Rename, then a new version, then download it.
    b.click(&format!("#rename-{draft}")).await;
    b.type_into(&format!("#rn-{draft}"), "contrato.pdf").await;
    b.click("form.inline button[type=submit]").await;
    b.wait_for("Renombrado a «contrato.pdf».").await;
    b.choose_files(&format!("#nv-{draft}"), &[files.join("firmado.pdf")])
        .await;
    b.wait_for("«contrato.pdf» está ahora en la versión 2.")
        .await;
    b.click(&format!("a[href='/files/{draft}']")).await;
    assert_eq!(b.downloaded("contrato.pdf").await, b"%PDF-1.4 firmado");

    // Delete: a dialog, which Escape closes with the focus back on the button; then for real.
    b.click(&format!("#delete-{notes}")).await;
    b.wait_for("¿Eliminar el documento?").await;
    b.check("admin-delete-document").await;
    b.type_keys("dialog button.danger", "\u{E00C}").await;
    b.wait_until(&format!(
        "return document.querySelector('dialog') === null && document.activeElement.id === 'delete-{notes}';"
    ))
    .await;
    b.click(&format!("#delete-{notes}")).await;
    b.click("dialog button.danger").await;
    b.wait_for("«notas.txt» eliminado.").await;
    assert_eq!(docs().await.as_array().unwrap().len(), 2);
    assert!(!dropped.is_empty());

    // A folder, and a file filed into it.
    b.type_into("#new-folder", "Facturas").await;
    b.click("#folder-form button[type=submit]").await;
    b.wait_for("Carpeta «Facturas» creada.").await;
    b.wait_for("id=\"up-folder\"").await;
    let folder = t
        .manager
        .ok(
            "query($c: ID!) { case(id: $c) { folders { id } } }",
            json!({"c": case}),
        )
        .await["case"]["folders"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    b.select("#up-folder", &folder).await;
    b.choose_files("#up-files", &[files.join("factura.pdf")])
        .await;
    b.wait_for("factura.pdf</a>").await;
    let filed = docs().await;
    assert!(
        filed
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["name"] == "factura.pdf" && d["folderId"] == folder.as_str()),
        "{filed}"
    );

    // Carmen, linked by name.
    b.type_into("#cc-add", "Carmen").await;
    b.wait_for("Carmen Gil</button>").await;
    b.click(".matches button").await;
    b.click("#case-contact-form button[type=submit]").await;
    b.wait_for(&format!("href=\"/admin/contacts/{carmen}\""))
        .await;

    // Portal access for Carmen: her email is Beto's too, so a dialog lists him, with a link.
    b.wait_for(&format!("id=\"acc-{carmen}\"")).await;
    b.click(&format!("#acc-{carmen}")).await;
    b.click("#access-form button[type=submit]").await;
    b.wait_for("Otros contactos usan este email").await;
    let page = b.source().await;
    let dialog = &page[page.find("<dialog").unwrap()..];
    assert!(
        dialog.contains(&format!("href=\"/admin/contacts/{beto}\"")),
        "{dialog}"
    );
    b.check("admin-conflict").await;
    b.click("dialog button").await;
    // Ana gets access, without download.
    b.wait_until("return document.querySelector('dialog') === null;")
        .await;
    b.run(&format!(
        "document.getElementById('acc-{carmen}').click(); return null;"
    ))
    .await;
    b.click(&format!("#acc-{ana}")).await;
    b.click("#access-form button[type=submit]").await;
    b.wait_for("Guardado.").await;
    let access = t
        .manager
        .ok(
            "query($c: ID!) { portalCandidates(caseId: $c) { contact { name } access { enabled canDownload } } }",
            json!({"c": case}),
        )
        .await;
    assert!(
        access.to_string().contains(
            "{\"contact\":{\"name\":\"Ana Ruiz\"},\"access\":{\"enabled\":true,\"canDownload\":false}}"
        ),
        "{access}"
    );

    // Notifications: the owner alone cannot leave (the rule is said); the admin is added.
    b.click("#tab-notifications").await;
    b.wait_for("id=\"recipient-form\"").await;
    b.click(".panel td button.link").await;
    b.wait_for("El responsable del caso se entera").await;
    b.type_into("#nr-user", "Admin").await;
    b.wait_for("Administrator</button>").await;
    b.click(".matches button").await;
    b.click("#recipient-form button[type=submit]").await;
    b.wait_for("<th scope=\"row\">Administrator</th>").await;
    b.check("admin-case-notifications").await;
    let recipients = t
        .manager
        .ok(
            "query($c: ID!) { caseNotificationRecipients(caseId: $c) { user { name } inApp email } }",
            json!({"c": case}),
        )
        .await;
    assert_eq!(
        recipients["caseNotificationRecipients"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "{recipients}"
    );

    // What happened, in words.
    let page = b.wait_for("renombró un documento").await;
    assert!(
        page.contains("subió un documento") && page.contains("eliminó un documento"),
        "{page}"
    );

    // An organisation cannot be a portal user: the switch is not there, the reason is.
    b.goto(&format!("{server}/admin/contacts/{org}")).await;
    let page = b.wait_for("Solo una persona").await;
    assert!(!page.contains("id=\"portal-user\""), "{page}");
    let _ = std::fs::remove_dir_all(&files);
}
