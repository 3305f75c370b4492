//! The staff UI in a real browser: a shared link to a screen asks for the sign-in and comes
//! back to that screen; the field editor switches `portalUser` on from the inactive fields and
//! creates a field with the key suggested from its label; a reload shows the same screen.
//! axe-core on every screen, screenshots in docs/screenshots/.

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app};
use crate::webdriver::Browser;
use serde_json::json;

#[tokio::test]
async fn an_admin_edits_fields_in_the_browser() {
    let app = spawn_app().await;
    let b = Browser::start(true).await;
    let screen = format!("{}/admin/fields/CONTACT", app.server.url);
    b.goto(&screen).await;
    b.wait_for("Acceso del personal").await;
    b.check("admin-sign-in").await;
    b.type_into("#email", ADMIN_EMAIL).await;
    b.type_into("#password", "wrong password").await;
    b.click("form button[type=submit]").await;
    b.wait_for("no son correctos").await;
    b.type_into("#password", ADMIN_PASSWORD).await;
    b.click("form button[type=submit]").await;
    // Back on the screen the link named, never having left its address.
    let page = b.wait_for("Campos inactivos").await;
    assert_eq!(b.url().await, screen);
    assert!(page.contains("Campos de contactos"), "{page}");

    // The inactive fields are named once, by their heading (a caption said it again).
    b.wait_for("id=\"active-portalUser\"").await;
    let page = b.source().await;
    assert_eq!(page.matches("Campos inactivos").count(), 1, "{page}");
    b.element_screenshot(
        "section[aria-labelledby=inactive-title]",
        "admin-fields-inactive",
    )
    .await;

    // portalUser waits among the inactive fields: one tick activates it.
    b.click("#active-portalUser").await;
    b.wait_for("» guardado.").await;
    let active = app
        .admin
        .ok(
            r#"{ fieldDefinitions(entity: CONTACT) { key } }"#,
            json!({}),
        )
        .await;
    assert!(
        active["fieldDefinitions"]
            .to_string()
            .contains("portalUser"),
        "{active}"
    );
    b.check("admin-fields").await;

    // A new field: the key comes from the label, a bad one is flagged as it is typed.
    b.type_into("#nf-label", "Fecha de firma").await;
    b.wait_for_value("#nf-key", "fechaDeFirma").await;
    assert!(!b.source().await.contains("id=\"e-key\""));
    b.type_into("#nf-key", "1bad").await;
    b.wait_for("id=\"e-key\"").await;
    b.type_into("#nf-key", "fechaFirma").await;
    b.select("#nf-type", "DATE").await;
    b.click("form.card button[type=submit]").await;
    b.wait_for("Campo «Fecha de firma» creado.").await;
    let created = app
        .admin
        .ok(
            r#"{ fieldDefinitions(entity: CONTACT) { key type } }"#,
            json!({}),
        )
        .await;
    assert!(
        created["fieldDefinitions"]
            .to_string()
            .contains("{\"key\":\"fechaFirma\",\"type\":\"DATE\"}"),
        "{created}"
    );

    // Another entity by its tab; a reload shows the same screen, in the chosen language.
    b.click("a[href='/admin/fields/CASE']").await;
    b.wait_for("Campos de casos").await;
    b.click("header button[lang='en']").await;
    b.wait_for("Case fields").await;
    // The choice is the user's, kept on their account: this browser forgetting it changes
    // nothing.
    let mut stored = json!(null);
    for _ in 0..50 {
        stored = app.admin.ok("{ me { language } }", json!({})).await["me"]["language"].clone();
        if stored == "en" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(stored, "en");
    b.run("localStorage.clear(); return null;").await;
    b.goto(&format!("{}/admin/fields/CASE", app.server.url))
        .await;
    b.wait_for("Case fields").await;
    b.click("#sign-out").await;
    b.wait_for("Staff sign-in").await;
}

#[tokio::test]
async fn staff_filter_sort_and_page_the_cases_and_the_address_keeps_them() {
    let app = spawn_app().await;
    for (subject, status) in [
        ("Alta de autónomo", "OPEN"),
        ("Baja de empleado", "CLOSED"),
        ("Cambio de cuenta", "OPEN"),
    ] {
        app.admin
            .ok(
                "mutation($s: String!, $st: CaseStatus!) { createCase(input: {subject: $s, status: $st}) { id } }",
                json!({"s": subject, "st": status}),
            )
            .await;
    }
    let b = Browser::start(true).await;
    b.goto(&format!("{}/admin/cases", app.server.url)).await;
    sign_in(&b, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    b.wait_for("3 casos").await;

    // A filter on any field, with its type's operators: status is Open.
    b.click("details.tools summary").await;
    b.select("#nf-field", "status").await;
    b.select("#nf-op", "eq").await;
    b.select("#nf-value", "OPEN").await;
    b.click("details.tools form button[type=submit]").await;
    let page = b.wait_for("2 casos").await;
    assert!(!page.contains("Baja de empleado"), "{page}");
    assert!(
        b.url().await.ends_with("/admin/cases?f.status.eq=OPEN"),
        "{}",
        b.url().await
    );
    // A search on top of it, and a column chosen: both in the address.
    b.type_into("#q", "cambio").await;
    b.click("form[role=search] button").await;
    let page = b.wait_for("1 caso<").await;
    assert!(!page.contains("Alta de autónomo"), "{page}");
    b.click("#col-description").await;
    b.wait_until("return location.search.includes('cols=') && document.querySelectorAll('thead th').length === 7;")
        .await;
    b.type_into("#q", "").await;
    b.click("form[role=search] button").await;
    b.wait_for("2 casos").await;
    // Sorting by subject, ascending: the address says so too.
    b.click("th:nth-child(2) button").await;
    b.wait_for("aria-sort=\"ascending\"").await;
    let url = b.url().await;
    assert!(
        url.contains("sort=subject") && url.contains("dir=asc"),
        "{url}"
    );
    let page = b.source().await;
    assert!(
        page.find("Alta de autónomo").unwrap() < page.find("Cambio de cuenta").unwrap(),
        "{page}"
    );
    b.check("admin-cases").await;
    // A reload (or the link, shared) shows the same list.
    b.goto(&url).await;
    let page = b.wait_for("2 casos").await;
    assert!(page.contains("aria-sort=\"ascending\"") && !page.contains("Baja de empleado"));
    // The filter's chip removes it.
    b.click(".chips button").await;
    b.wait_for("3 casos").await;

    // The session ends while the page is open (here: signed out from elsewhere). The next
    // screen asks for the sign-in at its own address, and shows itself after it.
    let session = b.cookie("portico_session").await;
    assert!(!session.is_empty());
    let ended = reqwest::Client::new()
        .delete(format!("{}/admin/session", app.server.url))
        .header("cookie", format!("portico_session={session}"))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(ended.status(), 204);
    b.click("a[href='/admin/fields/CASE']").await;
    b.wait_for("Acceso del personal").await;
    assert!(b.url().await.ends_with("/admin/fields/CASE"));
    b.type_into("#email", ADMIN_EMAIL).await;
    b.type_into("#password", ADMIN_PASSWORD).await;
    b.click("form button[type=submit]").await;
    b.wait_for("Campos de casos").await;
    assert!(b.url().await.ends_with("/admin/fields/CASE"));

    // Deals: a new one from the list, then its stage changed; the amount's bad value is named.
    b.click("nav a[href='/admin/deals']").await;
    b.wait_for("0 oportunidades").await;
    b.click("a[href='/admin/deals/new']").await;
    b.wait_for("id=\"f-name\"").await;
    b.type_into("#f-name", "Renovación anual").await;
    b.type_into("#f-amount", "1200.50").await;
    b.click("form.record button[type=submit]").await;
    b.wait_for("Renovación anual</h1>").await;
    b.check("admin-deal").await;
    b.select("#f-stage", "NEGOTIATION").await;
    b.click("form.record button[type=submit]").await;
    b.wait_for("Guardado.").await;
    let deals = app
        .admin
        .ok(
            "{ deals { edges { node { name amount stage } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        deals["deals"]["edges"][0]["node"],
        json!({"name": "Renovación anual", "amount": 1200.5, "stage": "NEGOTIATION"})
    );
    b.click("a[href='/admin/deals']").await;
    b.wait_for("1 oportunidad<").await;
    b.check("admin-deals").await;
}

/// Presses Escape on the element `css` (which has the focus inside a dialog).
/// The sign-in screen, as it shows for any address while signed out, filled in and sent.
pub async fn sign_in(b: &Browser, email: &str, password: &str) {
    b.wait_for("Acceso del personal").await;
    b.type_into("#email", email).await;
    b.type_into("#password", password).await;
    b.click("form button[type=submit]").await;
}

async fn escape(b: &Browser, css: &str) {
    b.type_keys(css, "\u{E00C}").await;
}

#[tokio::test]
async fn an_admin_manages_users_groups_tokens_and_emails_in_the_browser() {
    let app = spawn_app().await;
    let b = Browser::start(true).await;
    b.goto(&format!("{}/admin/users", app.server.url)).await;
    sign_in(&b, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    b.wait_for("id=\"nu-name\"").await;

    // A new user with a password set now (an invitation email is the default, tested in
    // `staff_invitation`): a short one is named beside its field, the rest stays typed.
    b.type_into("#nu-name", "Marta Ruiz").await;
    b.type_into("#nu-email", "marta@example.com").await;
    b.click("#nu-set").await;
    b.type_into("#nu-password", "short").await;
    b.click("#nu-form button[type=submit]").await;
    b.wait_for("id=\"nu-password-error\"").await;
    b.wait_for_value("#nu-name", "Marta Ruiz").await;
    b.type_into("#nu-password", "a long password").await;
    b.click("#nu-form button[type=submit]").await;
    b.wait_for("Marta Ruiz ya puede entrar.").await;
    // The form is empty again for the next person (it kept Marta's name and password).
    b.wait_for_value("#nu-name", "").await;
    b.wait_until("return document.querySelector('#nu-invite').checked && !document.querySelector('#nu-password')").await;

    // A group with the portal setting, and Marta in it.
    b.type_into("#ng-name", "Gestores").await;
    b.click("#group-form button[type=submit]").await;
    b.wait_for("Grupo «Gestores» creado.").await;
    let ids = app
        .admin
        .ok(
            "{ staffUsers { id email } permissionGroups { id name portalAccess } }",
            json!({}),
        )
        .await;
    let find = |list: &str, key: &str, value: &str| {
        ids[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x[key] == value)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let marta = find("staffUsers", "email", "marta@example.com");
    let group = find("permissionGroups", "name", "Gestores");
    b.click(&format!("#gp-{group}")).await;
    b.wait_for("«Gestores» guardado.").await;
    b.click(&format!("#edit-{marta}")).await;
    b.click(&format!("#u{marta}-g-{group}")).await;
    b.click(&format!("#u{marta}-form button[type=submit]"))
        .await;
    b.wait_for("Marta Ruiz guardado.").await;
    let users = app
        .admin
        .ok(
            "{ staffUsers { email active groups { name portalAccess } } }",
            json!({}),
        )
        .await;
    assert!(
        users.to_string().contains(
            "{\"email\":\"marta@example.com\",\"active\":true,\"groups\":[{\"name\":\"Gestores\",\"portalAccess\":true}]}"
        ),
        "{users}"
    );
    b.check("admin-users").await;
    b.click(&format!("#rename-group-{group}")).await;
    b.type_into(&format!("#gr-{group}"), "Gestores de cartera")
        .await;
    b.click(&format!("#gr-form-{group} button[type=submit]"))
        .await;
    b.wait_for("Grupo renombrado «Gestores de cartera».").await;
    b.click(&format!("#toggle-{marta}")).await;
    b.wait_for("Marta Ruiz está desactivado").await;
    let marta_login = app
        .client()
        .raw(
            "mutation { login(email: \"marta@example.com\", password: \"a long password\") { token } }",
            json!({}),
        )
        .await;
    assert!(marta_login.get("errors").is_some(), "{marta_login}");

    // A colleague's token, which an admin may see and revoke (not create).
    let beto = app.staff("beto@example.com", &[]).await;
    let betos = beto
        .ok(
            "mutation { createApiToken(name: \"Script de Beto\") { token } }",
            json!({}),
        )
        .await["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let beto_id = beto.ok("{ me { id } }", json!({})).await["me"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // An API token: shown once, it works, and revoking it (after a dialog that Escape closes)
    // ends it.
    b.click("nav a[href='/admin/tokens']").await;
    b.wait_for("No tiene tokens.").await;
    b.type_into("#tk-name", "Informes mensuales").await;
    b.click("#token-form button[type=submit]").await;
    let page = b.wait_for("id=\"fresh-token\"").await;
    let start = page.find("id=\"fresh-token\">").unwrap() + "id=\"fresh-token\">".len();
    let token = page[start..].split('<').next().unwrap().to_owned();
    let me = app
        .client()
        .with_token(&token)
        .ok("{ me { email } }", json!({}))
        .await;
    assert_eq!(me["me"]["email"], ADMIN_EMAIL);
    b.check("admin-tokens").await;
    b.click(".fresh button.secondary").await;
    b.click("td button.danger").await;
    b.wait_for("¿Revocar el token?").await;
    escape(&b, "dialog button.danger").await;
    b.wait_until("return document.querySelector('dialog') === null && document.activeElement.matches('td button.danger');")
        .await;
    b.click("td button.danger").await;
    b.click("dialog button.danger").await;
    b.wait_for("Token «Informes mensuales» revocado.").await;
    let gone = app
        .client()
        .with_token(&token)
        .raw("{ me { email } }", json!({}))
        .await;
    assert_eq!(gone["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    b.select("#tk-user", &beto_id).await;
    b.wait_for("Script de Beto").await;
    assert!(!b.source().await.contains("id=\"token-form\""));
    b.click("td button.danger").await;
    b.click("dialog button.danger").await;
    b.wait_for("Token «Script de Beto» revocado.").await;
    let gone = app
        .client()
        .with_token(&betos)
        .raw("{ me { email } }", json!({}))
        .await;
    assert_eq!(gone["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    // An email: previewed by the server as it is typed, a broken part named, saved, reset.
    b.click("nav a[href='/admin/emails']").await;
    b.wait_for("Vista previa").await;
    b.select("#em-kind", "INVITATION").await;
    b.select("#em-lang", "EN").await;
    b.wait_until("return location.search.includes('lang=EN');")
        .await;
    b.type_into("#em-subject", "Welcome, {{ contact_name }}")
        .await;
    b.wait_for("Welcome, Ana López</span>").await;
    b.type_into("#em-html", "<p>{{ contact_name </p>").await;
    b.wait_for("id=\"em-html-error\"").await;
    // Said in words, with the line, not as the template engine's drawing.
    let said = b
        .run("return document.getElementById('em-html-error').textContent")
        .await;
    let said = said.as_str().unwrap();
    assert!(said.starts_with("`html`, line 1, column"), "{said}");
    assert!(!said.contains("__tera") && !said.contains('^'), "{said}");
    // A value the invitation does not have, on line 2: named, and its line found with a click.
    b.type_into("#em-html", "<p>Hi</p>\n<p>{{ case_number }}</p>")
        .await;
    b.wait_for("`case_number` is not a value this email has")
        .await;
    b.click("#em-html-error button").await;
    assert_eq!(
        b.run("const e = document.getElementById('em-html'); return e.value.slice(e.selectionStart, e.selectionEnd)")
            .await,
        json!("<p>{{ case_number }}</p>")
    );
    // The email's variables, each put where the cursor is with a click.
    b.type_into("#em-html", "<p>Hi </p>").await;
    b.run("const e = document.getElementById('em-html'); e.focus(); e.setSelectionRange(6, 6); e.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true}));")
        .await;
    b.click("button.chip[aria-label='Insertar contact_name']")
        .await;
    b.wait_for_value("#em-html", "<p>Hi {{ contact_name }}</p>")
        .await;
    // The sample dates read as people write them.
    let preview = b
        .run("return document.querySelector('.preview pre').textContent")
        .await;
    let preview = preview.as_str().unwrap();
    assert!(
        preview.contains("1 Dec 2026") && !preview.contains("T10:00:00Z"),
        "{preview}"
    );
    b.type_into(
        "#em-html",
        "<p>Hi {{ contact_name }}: <a href=\"{{ link }}\">start</a></p>",
    )
    .await;
    b.wait_until("return document.getElementById('em-html-error') === null;")
        .await;
    b.check("admin-emails").await;
    b.click("#email-form button[type=submit]").await;
    b.wait_for("Email guardado").await;
    let stored = app
        .admin
        .ok(
            "{ emailTemplates { kind language subject customised } }",
            json!({}),
        )
        .await;
    assert!(
        stored.to_string().contains(
            "{\"kind\":\"INVITATION\",\"language\":\"EN\",\"subject\":\"Welcome, {{ contact_name }}\",\"customised\":true}"
        ),
        "{stored}"
    );
    b.click("#email-form button.secondary").await;
    b.wait_for("De vuelta a la versión de Portico.").await;
    let stored = app
        .admin
        .ok("{ emailTemplates { customised } }", json!({}))
        .await;
    assert!(!stored.to_string().contains("true"), "{stored}");
}

/// The case fields' order as the API gives it (active ones).
async fn case_order(app: &crate::helpers::App) -> Vec<(String, String)> {
    let v = app
        .admin
        .ok(
            "{ fieldDefinitions(entity: CASE) { key block } }",
            json!({}),
        )
        .await;
    v["fieldDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["key"].as_str().unwrap().to_owned(),
                f["block"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn an_admin_orders_and_edits_fields_with_a_live_preview() {
    let app = spawn_app().await;
    app.admin
        .ok(
            r#"mutation { createFieldDefinition(input: {entity: CASE, key: "canal", label: "Canal", type: SELECT, options: ["Teléfono", "Email", "Web"], block: "Origen"}) { key } }"#,
            json!({}),
        )
        .await;
    for canal in ["TEL_FONO", "TEL_FONO", "WEB"] {
        app.admin
            .ok(
                &format!(
                    "mutation {{ createCase(input: {{subject: \"S\", canal: {canal}}}) {{ id }} }}"
                ),
                json!({}),
            )
            .await;
    }
    let b = Browser::start(true).await;
    b.goto(&format!("{}/admin/fields/CASE", app.server.url))
        .await;
    sign_in(&b, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    b.wait_for("id=\"down-subject\"").await;

    // Keyboard: subject one down, within its block; the focus stays on the button.
    let before = case_order(&app).await;
    let at =
        |order: &[(String, String)], key: &str| order.iter().position(|(k, _)| k == key).unwrap();
    assert!(at(&before, "subject") < at(&before, "description"));
    b.click("#down-subject").await;
    b.wait_for("Asunto es ahora el número 3").await;
    let after = case_order(&app).await;
    assert!(
        at(&after, "subject") > at(&after, "description"),
        "{after:?}"
    );
    assert_eq!(
        b.run("return document.activeElement.id;").await,
        json!("down-subject")
    );
    // Up from the first row of a block crosses into the block above, at its end.
    b.click("#up-canal").await;
    b.wait_for("Canal es ahora el número").await;
    let after = case_order(&app).await;
    assert_eq!(after[at(&after, "canal")].1, "Case details", "{after:?}");
    // Dragging a row onto another puts it there, in that row's block. The reorders sent are
    // counted: the block around the row used to take the same drop and send a second one,
    // moving the field to the block's end (whichever answer came last won).
    b.run(
        "window.portico_reorders = 0; const f = window.fetch; \
         window.fetch = (u, o) => { if (o && String(o.body).includes('updateFieldDefinition')) window.portico_reorders += 1; return f(u, o); }; \
         const dt = new DataTransfer(); \
         const from = document.getElementById('edit-canal').closest('tr'); \
         const to = document.getElementById('edit-subject').closest('tr'); \
         from.dispatchEvent(new DragEvent('dragstart', {bubbles: true, dataTransfer: dt})); \
         to.dispatchEvent(new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt})); return null;",
    )
    .await;
    b.wait_until(
        "return document.querySelector('[role=status]').textContent.includes('Canal es ahora');",
    )
    .await;
    for _ in 0..50 {
        let o = case_order(&app).await;
        if at(&o, "canal") + 1 == at(&o, "subject") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let after = case_order(&app).await;
    assert_eq!(at(&after, "canal") + 1, at(&after, "subject"), "{after:?}");
    // The first field of a block dropped on its third: it lands before the third, not at the
    // block's end (the block took the drop as well, and sent a second reorder).
    let details: Vec<String> = after
        .iter()
        .filter(|(_, block)| block == "Case details")
        .map(|(k, _)| k.clone())
        .collect();
    let (first, third) = (details[0].clone(), details[2].clone());
    b.run(&format!(
        "window.portico_reorders = 0; const dt = new DataTransfer(); \
         const from = document.getElementById('edit-{first}').closest('tr'); \
         const to = document.getElementById('edit-{third}').closest('tr'); \
         from.dispatchEvent(new DragEvent('dragstart', {{bubbles: true, dataTransfer: dt}})); \
         to.dispatchEvent(new DragEvent('drop', {{bubbles: true, cancelable: true, dataTransfer: dt}})); return null;"
    ))
    .await;
    b.wait_until("return window.portico_reorders > 0;").await;
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    assert_eq!(b.run("return window.portico_reorders;").await, json!(1));
    let dropped = case_order(&app).await;
    assert_eq!(
        at(&dropped, &first) + 1,
        at(&dropped, &third),
        "{dropped:?}"
    );

    // A system field says why it stays; its label shows in the preview as it is typed.
    b.click("#edit-subject").await;
    b.wait_for("id=\"fe-system\"").await;
    assert_eq!(
        b.run("return document.getElementById('fe-required').disabled;")
            .await,
        json!(true)
    );
    b.type_into("#fe-label", "Asunto del caso").await;
    b.wait_for("for=\"pv-subject\">Asunto del caso").await;
    b.wait_for("for=\"pc-subject\">Asunto del caso").await;
    b.check("admin-field-editor").await;
    b.click("#field-editor button.secondary").await;

    // The options: one renamed (with the cases that hold it), one added, one moved; removing
    // one that cases hold says how many and keeps it.
    b.click("#edit-canal").await;
    b.wait_for("2 registros").await;
    b.click("#opt-remove-2").await;
    b.wait_for("1 registros tienen «Web»").await;
    b.type_into("#opt-0", "Llamada").await;
    b.type_into("#opt-new", "Presencial").await;
    b.click("#field-editor .filters button").await;
    b.wait_for("id=\"opt-3\"").await;
    b.click("#opt-up-3").await;
    b.click("#opt-remove-1").await;
    b.wait_until("return document.getElementById('opt-3') === null && document.getElementById('opt-1').value === 'Presencial';")
        .await;
    b.click("#field-editor button[type=submit]").await;
    b.wait_for("«Canal» guardado.").await;
    let defs = app
        .admin
        .ok(
            "{ fieldDefinitions(entity: CASE) { key options } cases { edges { node { canal } } } }",
            json!({}),
        )
        .await;
    let canal = defs["fieldDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "canal")
        .unwrap();
    assert_eq!(canal["options"], json!(["Llamada", "Presencial", "Web"]));
    let held: Vec<_> = defs["cases"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["canal"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        held.iter().filter(|c| *c == "LLAMADA").count(),
        2,
        "{held:?}"
    );

    // What the statuses mean: Closed ships closed and Open as the default. The admin renames
    // Open, counts "Waiting for Response" as closed too and makes new cases start In
    // Progress; the staff New-case form then shows it before anything is chosen.
    b.click("#edit-status").await;
    b.wait_until("return document.getElementById('opt-closed-3').checked && document.getElementById('opt-default-0').checked;")
        .await;
    b.type_into("#opt-0", "Abierto").await;
    b.click("#opt-closed-2").await;
    b.click("#opt-default-1").await;
    b.check("admin-field-status").await;
    b.element_screenshot("#field-editor fieldset", "admin-field-status-options")
        .await;
    b.click("#field-editor button[type=submit]").await;
    b.wait_for("«Estado» guardado.").await;
    let status = app
        .admin
        .ok(
            "{ fieldDefinitions(entity: CASE) { key options defaultOption closedOptions } }",
            json!({}),
        )
        .await["fieldDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "status")
        .cloned()
        .unwrap();
    assert_eq!(
        status,
        json!({"key": "status", "options": ["Abierto", "In Progress", "Waiting for Response", "Closed"],
            "defaultOption": "In Progress", "closedOptions": ["Waiting for Response", "Closed"]})
    );
    b.goto(&format!("{}/admin/cases/new", app.server.url)).await;
    b.wait_for_value("#f-status", "IN_PROGRESS").await;
    // The owner shows as the one creating the case, as it will be saved.
    b.wait_until("const o = document.getElementById('f-owner'); return o !== null && o.textContent.includes('Administrator');")
        .await;
}

#[tokio::test]
async fn a_staff_user_changes_their_password_and_revokes_their_tokens_in_the_browser() {
    let app = spawn_app().await;
    let beto = app.staff("beto@example.com", &[]).await;
    let token = beto
        .ok(
            "mutation { createApiToken(name: \"Sincronización\") { token } }",
            json!({}),
        )
        .await["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let b = Browser::start(true).await;
    b.goto(&format!("{}/admin/cases", app.server.url)).await;
    sign_in(&b, "beto@example.com", "a long password").await;
    // The name in the header leads to the account.
    b.wait_for("class=\"who\"").await;
    b.click("header a.who").await;
    b.wait_for("Cambiar tu contraseña").await;
    b.wait_for("Revocar también mis tokens de API (1)").await;
    b.check("admin-account").await;
    // A wrong current password is named beside its field, and nothing changes.
    b.type_into("#ac-current", "not my password").await;
    b.type_into("#ac-new", "a brand new password").await;
    b.click("#password-form button[type=submit]").await;
    b.wait_for("id=\"ac-current-error\"").await;
    b.type_into("#ac-current", "a long password").await;
    b.type_into("#ac-new", "a brand new password").await;
    b.click("#ac-revoke").await;
    b.click("#password-form button[type=submit]").await;
    b.wait_for("tus tokens de API se han revocado").await;
    b.wait_for("Revocar también mis tokens de API (0)").await;
    let gone = app
        .client()
        .with_token(&token)
        .raw("{ me { email } }", json!({}))
        .await;
    assert_eq!(gone["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    app.client()
        .login("beto@example.com", "a brand new password")
        .await;
}

/// Issue 18's first report: the UI worked out a select option's enum value by a rule of its
/// own that disagreed with the server's on "Sí", "24h" and "Done!", and a Spanish office
/// could not save "Sí". The UI now takes the server's values (`optionValues`).
#[tokio::test]
async fn select_options_with_accents_digits_and_marks_are_saved_from_the_ui() {
    let app = spawn_app().await;
    let made = app
        .admin
        .ok(
            "mutation { createFieldDefinition(input: {entity: DEAL, key: \"respuesta\", label: \"Respuesta\", type: SELECT, options: [\"Sí\", \"No\", \"24h\", \"Done!\"]}) { optionValues } }",
            json!({}),
        )
        .await;
    assert_eq!(
        made["createFieldDefinition"]["optionValues"],
        json!(["S_", "NO", "_24H", "DONE_"])
    );
    let b = Browser::start(true).await;
    b.goto(&format!("{}/admin/deals/new", app.server.url)).await;
    sign_in(&b, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    b.wait_for("id=\"f-respuesta\"").await;
    b.type_into("#f-name", "Renovación").await;
    b.select("#f-respuesta", "S_").await;
    b.click("form.record button[type=submit]").await;
    b.wait_for("Renovación</h1>").await;
    let stored = || async {
        app.admin
            .ok("{ deals { edges { node { respuesta } } } }", json!({}))
            .await["deals"]["edges"][0]["node"]["respuesta"]
            .clone()
    };
    assert_eq!(stored().await, "S_");
    // Read back after a reload: the form shows "Sí" chosen.
    b.refresh().await;
    b.wait_for("id=\"f-respuesta\"").await;
    b.wait_for_value("#f-respuesta", "S_").await;
    for value in ["_24H", "DONE_", "NO"] {
        b.select("#f-respuesta", value).await;
        b.click("form.record button[type=submit]").await;
        b.wait_for("Guardado.").await;
        assert_eq!(stored().await, value);
        b.refresh().await;
        b.wait_for("id=\"f-respuesta\"").await;
        b.wait_for_value("#f-respuesta", value).await;
    }
    // The list shows the option as written.
    b.goto(&format!(
        "{}/admin/deals?cols=name,respuesta",
        app.server.url
    ))
    .await;
    b.wait_for(">No<").await;
}

/// A staff user who reads the UI in English (their browser's language, or this browser's last
/// choice) and never chose one gets their emails in English too: the language the UI speaks
/// to them is kept on their account when they sign in (it stayed empty, and emails went out
/// in Spanish).
#[tokio::test]
async fn the_language_a_staff_user_reads_is_kept_for_their_emails() {
    let app = spawn_app().await;
    app.staff("ana@example.com", &[]).await;
    let b = Browser::start(true).await;
    b.goto(&format!("{}/admin/cases", app.server.url)).await;
    b.wait_for("Acceso del personal").await;
    b.run("localStorage.setItem('portico.lang', 'en'); return null;")
        .await;
    b.refresh().await;
    b.wait_for("Staff sign-in").await;
    b.type_into("#email", "ana@example.com").await;
    b.type_into("#password", "a long password").await;
    b.click("form button[type=submit]").await;
    b.wait_for("class=\"who\"").await;
    let language = || async {
        app.admin
            .ok("{ staffUsers { email language } }", json!({}))
            .await["staffUsers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == "ana@example.com")
            .unwrap()["language"]
            .clone()
    };
    for _ in 0..50 {
        if language().await == json!("en") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(language().await, json!("en"));
}
