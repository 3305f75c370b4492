//! Dates in emails are written for the person who reads them (issue 19): a client chooses
//! their time zone on the portal's account page and the next email's expiry reads in it; a
//! staff user's zone is their browser's, taken when they first sign in. Without one, the
//! installation's (`PORTICO_TIME_ZONE`) applies.

use crate::admin_browser::sign_in;
use crate::portal::{PASSWORD, portal_app_with};
use crate::webdriver::Browser;
use serde_json::json;

fn expiry(text: &str, before: &str) -> String {
    text.split(before)
        .nth(1)
        .and_then(|rest| rest.split(['.', ')']).next())
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[tokio::test]
async fn each_person_reads_email_dates_in_their_own_zone() {
    let t = portal_app_with(&[("PORTICO_TIME_ZONE", "Europe/Madrid")]).await;
    let server = t.app.server.url.clone();
    t.create_contact(json!({"name": "Lupe", "email": "lupe@example.com", "portalUser": true}))
        .await;
    // The invitation, before Lupe chose anything: the firm's zone.
    let first = t.mail("lupe@example.com", 1).await.text();
    let at = expiry(&first, "caduca el ");
    assert!(
        at.ends_with("CET") || at.ends_with("CEST"),
        "{at} in {first}"
    );
    t.accept_mailed("lupe@example.com", 1).await;

    // Lupe lives in Mexico City and says so on her account page.
    let b = Browser::start(true).await;
    b.goto(&format!("{server}/portal/login")).await;
    b.type_into("#email", "lupe@example.com").await;
    b.type_into("#password", PASSWORD).await;
    b.click("form.stack button[type=submit]").await;
    b.wait_for("nav").await;
    b.goto(&format!("{server}/portal/account")).await;
    b.wait_for("Zona horaria").await;
    b.wait_for_value("#zone", "Europe/Madrid").await;
    b.select("#zone", "America/Mexico_City").await;
    b.click("form[action='/portal/account/time-zone'] button[type=submit]")
        .await;
    b.wait_for("las fechas de nuestros correos siguen esta zona horaria")
        .await;
    b.wait_for_value("#zone", "America/Mexico_City").await;
    b.check("portal-account-zone").await;

    // Her next email (a password reset) reads in her zone.
    t.app
        .portal()
        .ok(
            "mutation { requestPasswordReset(email: \"lupe@example.com\") }",
            json!({}),
        )
        .await;
    let reset = t.mail("lupe@example.com", 2).await.text();
    let at = expiry(&reset, "caduca el ");
    assert!(at.ends_with("CST"), "{at} in {reset}");

    // Over GraphQL too, and a made-up zone is refused by name.
    let client = t.app.portal().login("lupe@example.com", PASSWORD).await;
    let e = client
        .err(
            "mutation { setMyTimeZone(timeZone: \"Mars/Olympus\") }",
            json!({}),
        )
        .await;
    assert_eq!(e["extensions"]["field"], "timeZone");

    // A staff user's zone is their browser's, taken at sign-in.
    let s = Browser::start(true).await;
    s.goto(&format!("{server}/admin")).await;
    sign_in(&s, "manager@example.com", "a long password").await;
    s.wait_for("Mis casos abiertos").await;
    let browser_zone = s
        .run("return Intl.DateTimeFormat().resolvedOptions().timeZone")
        .await;
    for _ in 0..50 {
        let users = t
            .app
            .admin
            .ok("{ staffUsers { email timeZone } }", json!({}))
            .await;
        let manager = users["staffUsers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["email"] == "manager@example.com")
            .unwrap()
            .clone();
        if !manager["timeZone"].is_null() {
            assert_eq!(manager["timeZone"], browser_zone);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the manager's zone was never taken from the browser");
}
