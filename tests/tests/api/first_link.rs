//! The client's first link always works. A client given portal access to two cases gets two
//! emails, each with its own invitation link, and may read them in any order: the first one
//! they open sets up the account (and says which email it is for), and every other link leads
//! to sign-in with the email filled in, never to "this link no longer works". Run in a real
//! browser, as a client does it.

use crate::portal::{PUBLIC, portal_app_with};
use crate::webdriver::Browser;
use serde_json::json;

#[tokio::test]
async fn every_invitation_a_client_was_sent_leads_somewhere() {
    let t = portal_app_with(&[("PORTICO_TIME_ZONE", "Europe/Madrid")]).await;
    let server = t.app.server.url.clone();
    let lucia = t
        .create_contact(json!({"name": "Lucía Fernández", "email": "lucia@example.com"}))
        .await;
    let renta = t
        .create_case(json!({"subject": "Declaración de la renta", "client": lucia}))
        .await;
    let alta = t
        .create_case(json!({"subject": "Alta de autónomo", "client": lucia}))
        .await;
    t.set_access(&renta, &lucia, true, true).await;
    t.set_access(&alta, &lucia, true, true).await;
    let prefix = format!("{PUBLIC}/portal/invitation/");
    // The expiry reads as a person writes it, in the firm's zone: "13/12/2026 20:44 CET".
    let text = t.mail("lucia@example.com", 1).await.text();
    let expiry = text
        .split("caduca el ")
        .nth(1)
        .and_then(|rest| rest.split([')', '.']).next())
        .unwrap_or_default();
    let shape: String = expiry
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect();
    assert!(
        shape == "99/99/9999 99:99 CET" || shape == "99/99/9999 99:99 CEST",
        "{expiry:?} in {text}"
    );
    let first = t.mail("lucia@example.com", 1).await.link(&prefix);
    let second = t.mail("lucia@example.com", 2).await.link(&prefix);
    assert_ne!(first, second, "each email carries its own link");
    let (first, second) = (
        first.replace(PUBLIC, &server),
        second.replace(PUBLIC, &server),
    );

    let b = Browser::start(true).await;
    // She opens the first email: its link works and names the account it sets up.
    b.goto(&first).await;
    b.wait_for_value("#account-email", "lucia@example.com")
        .await;
    b.check("portal-invitation-first-link").await;
    b.type_into("#password", "a portal password").await;
    b.type_into("#confirm", "a portal password").await;
    b.click("form.stack button[type=submit]").await;
    let home = b.wait_for("Declaración de la renta").await;
    assert!(home.contains("Alta de autónomo"), "{home}");
    b.click("form[action='/portal/logout'] button").await;
    b.wait_for("Ha cerrado la sesión").await;

    // Days later she opens the second email: sign-in, with her email filled in.
    b.goto(&second).await;
    b.wait_for("Su cuenta ya está configurada").await;
    assert!(b.url().await.contains("/portal/login"), "{}", b.url().await);
    b.wait_for_value("#email", "lucia@example.com").await;
    b.check("portal-invitation-account-ready").await;
    b.type_into("#password", "a portal password").await;
    b.click("form.stack button[type=submit]").await;
    b.wait_for("Declaración de la renta").await;

    // The first link again, signed in or not: it leads to her account, not to a dead end.
    b.click("form[action='/portal/logout'] button").await;
    b.wait_for("Ha cerrado la sesión").await;
    b.goto(&first).await;
    b.wait_for("Su cuenta ya está configurada").await;

    // A link that was never ours says so and offers a new one.
    b.goto(&format!("{server}/portal/invitation/pin_not-a-link"))
        .await;
    let page = b.wait_for("Este enlace ya no funciona").await;
    assert!(page.contains("href=\"/portal/reset\""), "{page}");
}
