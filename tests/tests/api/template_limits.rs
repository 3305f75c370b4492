//! Finding 3 of the second security review, replayed as it was made: an admin's email
//! template that costs too much when it runs. Loops hidden from the nesting check inside a
//! comment, a string doubled 28 times with `set_global` (64 MB to 736 MB), two previews at once
//! (`/healthz` stalled 12 s), and a saved override that misbehaves only on real data (the mail
//! worker hung 8 s). Each is stopped by what it costs, the server stays small and answering,
//! and mail keeps flowing with the built-in template while the admins are told.

use crate::helpers::{Client, code};
use crate::portal::portal_app;
use serde_json::json;
use std::time::{Duration, Instant};

const PREVIEW: &str = "query($s: String!, $h: String!, $t: String!) { previewEmailTemplate(kind: INVITATION, language: EN, input: {subject: $s, html: $h, text: $t}) { subject html text } }";
const UPDATE: &str = "mutation($s: String!, $h: String!, $t: String!) { updateEmailTemplate(kind: INVITATION, language: EN, input: {subject: $s, html: $h, text: $t}) { customised } }";

/// The review's doubling: 28 `set_global`s of a string onto itself, no loop at all.
fn doubling() -> String {
    let mut t = String::from("{% set_global s = \"abcdefgh\" %}");
    for _ in 0..28 {
        t.push_str("{% set_global s = s ~ s %}");
    }
    t.push_str("{{ s | length }}");
    t
}

/// Three nested loops of 1,000, the inner `endfor`s counted away by a comment.
fn hidden_loops() -> String {
    "{# {% endfor %}{% endfor %} #}{% for a in range(end=1000) %}{% for b in range(end=1000) %}{% for c in range(end=1000) %}{% endfor %}{% endfor %}{% endfor %}".into()
}

/// The server's peak resident memory, in KiB.
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

async fn healthz_time(url: &str) -> Duration {
    let started = Instant::now();
    let res = reqwest::Client::new()
        .get(format!("{url}/healthz"))
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .expect("healthz");
    assert_eq!(res.status(), 200);
    started.elapsed()
}

#[tokio::test]
async fn an_admins_template_is_stopped_by_what_it_costs() {
    let t = portal_app().await;
    let admin: &Client = &t.app.admin;
    let pid = t.app.server.pid();
    let before = peak_kib(pid);

    // The doubling: refused for its memory, naming the part, the server's own memory flat.
    let e = admin
        .err(PREVIEW, json!({"s": "Hi", "h": doubling(), "t": "x"}))
        .await;
    assert_eq!(code(&e), "VALIDATION", "{e}");
    assert_eq!(e["extensions"]["field"], "html", "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("MiB of memory"),
        "{e}"
    );
    let grown = peak_kib(pid).saturating_sub(before);
    assert!(grown < 64 * 1024, "the server grew by {grown} KiB");
    // Saving it is refused the same way.
    let e = admin
        .err(UPDATE, json!({"s": "Hi", "h": doubling(), "t": "x"}))
        .await;
    assert_eq!(code(&e), "VALIDATION", "{e}");

    // Two previews of the hidden loops at once: each refused for its time, and meanwhile the
    // health check answers at once (it waited 12 s in the review).
    let started = Instant::now();
    let previews: Vec<_> = (0..2)
        .map(|_| {
            let admin = admin.clone();
            tokio::spawn(async move {
                admin
                    .err(PREVIEW, json!({"s": "Hi", "h": "x", "t": hidden_loops()}))
                    .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut slowest = Duration::ZERO;
    while previews.iter().any(|p| !p.is_finished()) && started.elapsed() < Duration::from_secs(10) {
        slowest = slowest.max(healthz_time(&t.app.server.url).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for p in previews {
        let e = p.await.expect("preview");
        assert_eq!(code(&e), "VALIDATION", "{e}");
        assert_eq!(e["extensions"]["field"], "text", "{e}");
        assert!(e["message"].as_str().unwrap().contains("time"), "{e}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert!(
        slowest < Duration::from_millis(500),
        "healthz took {slowest:?}"
    );

    // Output that grows without end is cut at the part's limit.
    let e = admin
        .err(
            PREVIEW,
            json!({"s": "Hi", "h": "{% for a in range(end=1000) %}{% for b in range(end=1000) %}xxxxxxxx{% endfor %}{% endfor %}", "t": "x"}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION", "{e}");
    assert!(e["message"].as_str().unwrap().contains("512 KiB"), "{e}");

    // An honest template still previews.
    let shown = admin
        .ok(
            PREVIEW,
            json!({"s": "Hello {{ contact_name }}", "h": "{% for a in range(end=3) %}{{ a }}{% endfor %}", "t": "{{ link }}"}),
        )
        .await;
    assert_eq!(shown["previewEmailTemplate"]["html"], "012");
}

#[tokio::test]
async fn a_template_that_fails_on_real_data_falls_back_and_the_admins_are_told() {
    let t = portal_app().await;
    let admin: &Client = &t.app.admin;
    // Fine on the sample (Ana López), runaway for anyone else.
    let bomb = format!(
        "{{% if contact_name == \"Ana López\" %}}Hi {{{{ contact_name }}}}{{% else %}}{}{{% endif %}}",
        hidden_loops()
    );
    let saved = admin
        .ok(
            UPDATE,
            json!({"s": "Welcome", "h": "<p>{{ link }}</p>", "t": bomb}),
        )
        .await;
    assert_eq!(saved["updateEmailTemplate"]["customised"], true);

    // Two English invitations: both arrive (the built-in text), within the limits' time, and
    // the mail after them too.
    let started = Instant::now();
    t.create_contact(json!({"name": "Carla", "email": "carla@example.com", "language": "EN", "portalUser": true}))
        .await;
    t.create_contact(
        json!({"name": "Dora", "email": "dora@example.com", "language": "EN", "portalUser": true}),
    )
    .await;
    t.create_contact(json!({"name": "Eva", "email": "eva@example.com", "portalUser": true}))
        .await;
    let carla = t.mail("carla@example.com", 1).await;
    let dora = t.mail("dora@example.com", 1).await;
    let eva = t.mail("eva@example.com", 1).await;
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    for m in [&carla, &dora] {
        // The built-in English invitation, not the admin's "Welcome".
        assert!(!m.data.contains("Subject: Welcome"), "{}", m.data);
        assert!(m.text().contains("/portal/invitation/"), "{}", m.text());
    }
    assert!(
        eva.data
            .contains("Subject: Su acceso al portal de clientes")
    );

    // The admins are told once (not once per email), in words and with the facts.
    let list = admin
        .ok(
            "{ notifications { kind message detail caseId } }",
            json!({}),
        )
        .await;
    let told: Vec<_> = list["notifications"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "email_template_failed")
        .collect();
    assert_eq!(told.len(), 1, "{list}");
    assert_eq!(told[0]["detail"]["kind"], "invitation");
    assert_eq!(told[0]["detail"]["language"], "en");
    assert!(
        told[0]["detail"]["reason"]
            .as_str()
            .unwrap()
            .starts_with("text: "),
        "{}",
        told[0]
    );
    assert!(told[0]["caseId"].is_null());
    // Staff without the admin setting hear nothing of it.
    let staff = t.manager.ok("{ notifications { kind } }", json!({})).await;
    assert!(
        !staff.to_string().contains("email_template_failed"),
        "{staff}"
    );
}
