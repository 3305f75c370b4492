//! Findings 8, 11 and 12 of the second security review, replayed as they were made: the staff
//! schema mapped anonymously through validation messages, a planted CSRF cookie with a
//! matching form value accepted and any `Host` header counted as our origin, and `/graphql`
//! acting on a session cookie sent from another site's page.

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, code, spawn_app};
use crate::portal::portal_app;
use crate::portal_pages::{Browser, a_client_with_a_case};
use serde_json::{Value, json};

#[tokio::test]
async fn anonymous_callers_cannot_map_the_schema() {
    let app = spawn_app().await;
    for endpoint in [app.client(), app.portal()] {
        // The review's probes: a right guess, a wrong guess, a wrong nested guess, a mutation.
        let answers: Vec<Value> = [
            "{ cases { totalCount } }",
            "{ noSuchThing }",
            "{ cases { edges { node { noSuchField } } } }",
            "mutation { createCase(input: {}) { id } }",
            "{ staffUsers { id } }",
            "query { ...F } fragment F on Query { __typename }",
        ]
        .iter()
        .map(|q| async { endpoint.err(q, json!({})).await })
        .collect::<futures_util::future::JoinAll<_>>()
        .await;
        for e in &answers {
            assert_eq!(code(e), "UNAUTHENTICATED", "{e}");
            // Every guess gets the same words: nothing to tell them apart.
            assert_eq!(e["message"], answers[0]["message"], "{e}");
            assert!(!e.to_string().contains("noSuch"), "{e}");
        }
        // Signing in, and `__typename`, still work without credentials.
        let typename = endpoint.ok("{ __typename }", json!({})).await;
        assert_eq!(typename["__typename"], "Query");
    }
    let e = app
        .client()
        .err(
            "mutation { login(email: \"nobody@example.com\", password: \"wrong one\") { token } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "UNAUTHENTICATED", "{e}");
    app.client().login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let asked = app
        .portal()
        .ok(
            "mutation { requestPasswordReset(email: \"x@example.com\") }",
            json!({}),
        )
        .await;
    assert_eq!(asked["requestPasswordReset"], true);
}

/// Signs in to the staff UI and gives its session cookie.
async fn staff_cookie(base: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{base}/admin/session"))
        .header("content-type", "application/json")
        .header("sec-fetch-site", "same-origin")
        .header("origin", base)
        .body(json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let set = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    set.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn graphql_on_a_cookie_needs_our_own_pages() {
    let app = spawn_app().await;
    let base = app.server.url.clone();
    let cookie = staff_cookie(&base).await;
    let http = reqwest::Client::new();
    let query = "{ cases { totalCount } }";
    let post = |site: &'static str, origin: String| {
        http.post(format!("{base}/graphql"))
            .header("cookie", &cookie)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header("sec-fetch-site", site)
            .header("origin", origin)
            .body(json!({"query": query}).to_string())
            .send()
    };
    // Another site's page, as the review sent it.
    let res = post("cross-site", "https://evil.example".into())
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(code(&body["errors"][0]), "FORBIDDEN", "{body}");
    // A sibling site (same-site, other origin) is not ours either.
    let res = post("same-site", "http://evil.localhost".into())
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // A GET from another site's page, too.
    let res = http
        .get(format!("{base}/graphql?query={{__typename}}"))
        .header("cookie", &cookie)
        .header("accept", "application/json")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Our own page passes.
    let res = post("same-origin", base.clone()).await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["data"]["cases"]["totalCount"], 0, "{body}");
    // A bearer token is an integrator's, whatever its headers say.
    let res = http
        .post(format!("{base}/graphql"))
        .bearer_auth(app.admin.token.as_deref().unwrap())
        .header("content-type", "application/json")
        .header("accept", "application/json")
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://evil.example")
        .body(json!({"query": query}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_planted_csrf_cookie_or_a_forged_host_does_not_pass() {
    let t = portal_app().await;
    a_client_with_a_case(&t).await;
    t.accept_mailed("carla@example.com", 1).await;
    let mut b = Browser::new(&t.app.server.url);
    b.language = Some("en");
    b.sign_in("carla@example.com").await;
    assert_eq!(b.get("/portal").await.status, 200);

    // The review's attack: a cookie planted with a value of the attacker's choosing, and the
    // same value in the forged form.
    let planted = "a".repeat(64);
    let mut forged = Browser::new(&t.app.server.url);
    forged.plant_cookie("portico_csrf", &planted);
    forged.plant_cookie(
        "portico_portal_session",
        &b.cookie("portico_portal_session").unwrap(),
    );
    let refused = forged
        .send(
            forged
                .http()
                .post(format!("{}/portal/logout", t.app.server.url))
                .header("sec-fetch-site", "same-origin")
                .form(&[("csrf", planted.as_str())]),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // A real token, but one the attacker got for their own visit (no session): it is bound
    // to the session, so it does not pass for the signed-in victim.
    let mut attacker = Browser::new(&t.app.server.url);
    attacker.get("/portal/login").await;
    let their_nonce = attacker.cookie("portico_csrf").unwrap();
    let their_token = attacker.csrf();
    let mut victim = Browser::new(&t.app.server.url);
    victim.plant_cookie("portico_csrf", &their_nonce);
    victim.plant_cookie(
        "portico_portal_session",
        &b.cookie("portico_portal_session").unwrap(),
    );
    let refused = victim
        .send(
            victim
                .http()
                .post(format!("{}/portal/logout", t.app.server.url))
                .header("sec-fetch-site", "same-origin")
                .form(&[("csrf", their_token.as_str())]),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // Another site's origin with a Host header naming that site: not ours.
    b.get("/portal/account").await;
    let token = b.csrf();
    let refused = b
        .send(
            b.http()
                .post(format!("{}/portal/logout", t.app.server.url))
                .header("origin", "http://evil.example")
                .header("host", "evil.example")
                .form(&[("csrf", token.as_str())]),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // Still signed in; the page's own form signs out.
    assert_eq!(b.get("/portal").await.status, 200);
    let out = b.post("/portal/logout", &[]).await;
    assert_eq!(out.status, 303, "{}", out.body);
    assert_eq!(b.get("/portal").await.status, 303);
}
