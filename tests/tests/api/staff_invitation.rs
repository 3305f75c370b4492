//! A new staff user chooses their own password (issue 19): the admin creates the account
//! without one, the new user gets an email with a link, sets a password on the screen the link
//! opens (which shows their email) and is signed in. Until then no password opens the account;
//! every link sent keeps working until one is used, and then each leads to sign-in with the
//! email filled in. Run in a real browser, as the admin and the new user do it.

use crate::admin_browser::sign_in;
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, code};
use crate::portal::{PUBLIC, portal_app};
use crate::webdriver::Browser;
use serde_json::json;

const LINK: &str = "query($t: String!) { staffInvitation(token: $t) { state email name } }";

fn token(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_new_staff_user_chooses_their_password_from_the_emailed_link() {
    let t = portal_app().await;
    let server = t.app.server.url.clone();
    let admin = Browser::start(true).await;
    admin.goto(&format!("{server}/admin/users")).await;
    sign_in(&admin, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    admin.wait_for("id=\"nu-name\"").await;
    // The invitation is the default: no password to invent.
    admin.type_into("#nu-name", "Luis Gómez").await;
    admin.type_into("#nu-email", "luis@example.com").await;
    admin.click("#nu-form button[type=submit]").await;
    admin
        .wait_for("Se ha creado Luis Gómez y se le ha enviado un correo")
        .await;
    admin
        .wait_for("Invitación enviada; aún sin contraseña")
        .await;

    // No password opens the account yet.
    let e = t
        .app
        .client()
        .err(
            "mutation { login(email: \"luis@example.com\", password: \"!invited\") { token } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "UNAUTHENTICATED");

    // The email, in the admin's language, says who made the account and links to the screen.
    let first = t.mail("luis@example.com", 1).await;
    let prefix = format!("{PUBLIC}/admin/invitation/");
    let first_link = first.link(&prefix);
    assert!(
        first.text().contains("le ha creado una cuenta"),
        "{}",
        first.text()
    );
    // The admin sends it again (Luis lost it); both links work until one is used.
    let users = t
        .app
        .admin
        .ok("{ staffUsers { id email invitationPending } }", json!({}))
        .await;
    let luis = users["staffUsers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "luis@example.com")
        .unwrap()
        .clone();
    assert_eq!(luis["invitationPending"], true);
    admin
        .click(&format!("#resend-{}", luis["id"].as_str().unwrap()))
        .await;
    admin
        .wait_for("Se ha enviado otra invitación a luis@example.com")
        .await;
    let second_link = t.mail("luis@example.com", 2).await.link(&prefix);
    assert_ne!(first_link, second_link);
    for l in [&first_link, &second_link] {
        let d = t.app.client().ok(LINK, json!({"t": token(l)})).await;
        assert_eq!(
            d["staffInvitation"],
            json!({"state": "CHOOSE_PASSWORD", "email": "luis@example.com", "name": "Luis Gómez"})
        );
    }

    // Luis opens the second email first.
    let b = Browser::start(true).await;
    b.goto(&second_link.replace(PUBLIC, &server)).await;
    b.wait_for("Bienvenido, Luis Gómez").await;
    b.wait_for_value("#inv-email", "luis@example.com").await;
    b.type_into("#inv-password", "short").await;
    b.click("main form button[type=submit]").await;
    b.wait_for("id=\"inv-error\"").await;
    b.check("admin-invitation").await;
    b.type_into("#inv-password", "Luis's own long password")
        .await;
    b.click("main form button[type=submit]").await;
    // Straight in, to their home.
    b.wait_for("Hola, Luis Gómez").await;
    b.wait_for("No tiene casos abiertos.").await;

    // The first email, read later, leads to sign-in with the email filled in.
    let later = Browser::start(true).await;
    later.goto(&first_link.replace(PUBLIC, &server)).await;
    later.wait_for("Su cuenta está lista").await;
    later.wait_for_value("#email", "luis@example.com").await;
    let d = t
        .app
        .client()
        .ok(LINK, json!({"t": token(&first_link)}))
        .await;
    assert_eq!(d["staffInvitation"]["state"], "SIGN_IN");
    // Neither link sets a password again.
    let e = t.app.client().err(
        "mutation($t: String!) { acceptInvitation(token: $t, password: \"someone else's password\") { token } }",
        json!({"t": token(&first_link)}),
    ).await;
    assert_eq!(code(&e), "VALIDATION");
    t.app
        .client()
        .login("luis@example.com", "Luis's own long password")
        .await;
    let e = t
        .app
        .admin
        .err(
            &format!(
                "mutation {{ sendStaffInvitation(userId: \"{}\") {{ id }} }}",
                luis["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "NOT_QUALIFIED");
    admin.refresh().await;
    admin.wait_for("Luis Gómez").await;
    assert!(
        !admin
            .source()
            .await
            .contains("Invitación enviada; aún sin contraseña")
    );
}
