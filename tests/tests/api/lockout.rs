//! Finding 7 of the second security review, replayed as it was made: wrong passwords for any
//! account (an admin's too) sent from anywhere made the owner's right password `RATE_LIMITED`
//! for as long as the attacker kept going. The attacker now spends only their own address's
//! tries; the owner, from an address that has not been failing, signs in; and guessing stays
//! bounded where it comes from.

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, code, spawn_app};
use crate::portal::{PASSWORD, portal_app};
use crate::portal_pages::a_client_with_a_case;
use serde_json::{Value, json};
use std::net::IpAddr;

/// A client whose connections come from `from` (another loopback address).
fn from(from: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().expect("an address"))
        .build()
        .expect("client")
}

async fn login(http: &reqwest::Client, endpoint: &str, email: &str, password: &str) -> Value {
    http.post(endpoint)
        .json(&json!({
            "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }",
            "variables": {"e": email, "p": password}
        }))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json")
}

/// 20 wrong passwords for `email` from `attacker`, ten at a time: the codes they got.
async fn attack(attacker: &reqwest::Client, endpoint: &str, email: &str) -> Vec<String> {
    let mut codes = Vec::new();
    for round in 0..2 {
        let tries: Vec<_> = (0..10)
            .map(|i| {
                let http = attacker.clone();
                let endpoint = endpoint.to_owned();
                let email = email.to_owned();
                tokio::spawn(async move {
                    login(&http, &endpoint, &email, &format!("guess {round} {i}")).await
                })
            })
            .collect();
        for t in tries {
            let body = t.await.expect("try");
            codes.push(code(&body["errors"][0]).to_owned());
        }
    }
    codes
}

#[tokio::test]
async fn wrong_passwords_from_elsewhere_do_not_lock_the_owner_out() {
    let app = spawn_app().await;
    let endpoint = format!("{}/graphql", app.server.url);
    let attacker = from("127.0.0.2");
    let codes = attack(&attacker, &endpoint, ADMIN_EMAIL).await;
    // Five reached the password check; the rest were refused before it.
    assert_eq!(
        codes.iter().filter(|c| *c == "UNAUTHENTICATED").count(),
        5,
        "{codes:?}"
    );
    assert_eq!(
        codes.iter().filter(|c| *c == "RATE_LIMITED").count(),
        15,
        "{codes:?}"
    );
    // The attacker, even with the right password, stays refused from there.
    let body = login(&attacker, &endpoint, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(code(&body["errors"][0]), "RATE_LIMITED", "{body}");
    // The owner, from their own address, signs in.
    let owner = from("127.0.0.1");
    let body = login(&owner, &endpoint, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(body["data"]["login"]["token"].is_string(), "{body}");
    // A second address of the attacker's gets its own five tries, no more.
    let codes = attack(&from("127.0.0.3"), &endpoint, ADMIN_EMAIL).await;
    assert_eq!(
        codes.iter().filter(|c| *c == "UNAUTHENTICATED").count(),
        5,
        "{codes:?}"
    );
    // The owner signing in again gives the attacker no tries back.
    let body = login(&owner, &endpoint, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(body["data"]["login"]["token"].is_string(), "{body}");
    let body = login(&attacker, &endpoint, ADMIN_EMAIL, "guess again").await;
    assert_eq!(code(&body["errors"][0]), "RATE_LIMITED", "{body}");
    // A new password set by an admin clears every address's count: the way back in.
    let id = app.admin.ok("{ staffUsers { id email } }", json!({})).await["staffUsers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == ADMIN_EMAIL)
        .unwrap()["id"]
        .clone();
    app.admin
        .ok(
            "mutation($id: ID!) { updateStaffUser(id: $id, input: {password: \"a brand new password\"}) { id } }",
            json!({"id": id}),
        )
        .await;
    let body = login(&attacker, &endpoint, ADMIN_EMAIL, "a brand new password").await;
    assert!(body["data"]["login"]["token"].is_string(), "{body}");
}

#[tokio::test]
async fn a_portal_user_is_not_locked_out_from_elsewhere_either() {
    let t = portal_app().await;
    a_client_with_a_case(&t).await;
    t.accept_mailed("carla@example.com", 1).await;
    let endpoint = format!("{}/portal/graphql", t.app.server.url);
    let codes = attack(&from("127.0.0.2"), &endpoint, "carla@example.com").await;
    assert_eq!(
        codes.iter().filter(|c| *c == "RATE_LIMITED").count(),
        15,
        "{codes:?}"
    );
    let body = login(&from("127.0.0.1"), &endpoint, "carla@example.com", PASSWORD).await;
    assert!(body["data"]["login"]["token"].is_string(), "{body}");
}
