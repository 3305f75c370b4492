//! Reminders of client requests, with the clock moved instead of waited for: the test binary
//! reads "now" from a file (`PORTICO_TEST_CLOCK_FILE`) and its scheduler looks every 100 ms.
//! Two server processes share the database throughout (on PostgreSQL when the tests run on
//! it), one of them restarted halfway, and each reminder still reaches the client once.

use crate::helpers::{Server, TempDir};
use crate::portal::{PUBLIC, portal_app_with};
use chrono::{Days, NaiveDate, Utc};
use serde_json::json;
use std::time::Duration;

fn set_clock(file: &std::path::Path, day: NaiveDate) {
    std::fs::write(file, format!("{day}T09:00:00Z")).expect("write the clock");
}

#[tokio::test]
async fn reminders_go_out_before_on_and_after_the_due_date_once_each() {
    let dir = TempDir::new();
    let clock = dir.0.join("now");
    let today = Utc::now().date_naive();
    set_clock(&clock, today);
    let clock_path = clock.display().to_string();
    let timing = [
        ("PORTICO_TEST_CLOCK_FILE", clock_path.as_str()),
        ("PORTICO_TEST_REMINDER_TICK_MS", "100"),
    ];
    let mut t = portal_app_with(&timing).await;
    let smtp_url = t.smtp.url();
    let env = [
        ("PORTICO_SMTP_URL", smtp_url.as_str()),
        ("PORTICO_PUBLIC_URL", PUBLIC),
        timing[0],
        timing[1],
    ];
    // A second process on the same database, sending from the same outbox.
    let mut second = Server::start(&t.app.db, &env);

    let ana = t
        .create_contact(json!({"name": "Ana", "email": "ana@example.com", "portalUser": true}))
        .await;
    let case = t
        .create_case(json!({"subject": "Renta 2025", "client": ana}))
        .await;
    t.set_access(&case, &ana, true, true).await;
    let due = today.checked_add_days(Days::new(10)).unwrap();
    let mut ids = Vec::new();
    for title in ["Nóminas de 2025", "Certificado bancario"] {
        let made = t
            .manager
            .ok(
                "mutation($i: CreateClientRequestInput!) { createClientRequest(input: $i) { id } }",
                json!({"i": {"caseId": case, "contactIds": [ana], "kind": "DOCUMENTS", "title": title,
                    "dueDate": due.to_string()}}),
            )
            .await;
        ids.push(
            made["createClientRequest"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // The request itself is mailed at once, with its page's link.
    let asked = t.mail("ana@example.com", 3).await.text();
    assert!(
        asked.contains("Nóminas de 2025") || asked.contains("Certificado bancario"),
        "{asked}"
    );
    assert!(
        asked.contains(&format!("{PUBLIC}/portal/requests/")),
        "{asked}"
    );
    let smtp = t.smtp.received.clone();
    let reminders = |title: &str, words: &str| {
        let got = smtp.lock().unwrap().clone();
        got.iter()
            .filter(|m| m.to.iter().any(|a| a.contains("ana@example.com")))
            .map(|m| m.text())
            .filter(|text| text.contains(title) && text.contains(words))
            .count()
    };
    let wait_for = |title: &'static str, words: &'static str, n: usize| {
        let reminders = &reminders;
        async move {
            for _ in 0..300 {
                if reminders(title, words) >= n {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("no reminder {n} «{words}» for {title}");
        }
    };

    // Two days before: one reminder per request, whichever process looked first.
    set_clock(&clock, due.checked_sub_days(Days::new(2)).unwrap());
    wait_for("Nóminas de 2025", "Le recordamos que", 1).await;
    wait_for("Certificado bancario", "Le recordamos que", 1).await;
    // The day after is the same step: nothing new. A restart does not send it again either.
    set_clock(&clock, due.checked_sub_days(Days::new(1)).unwrap());
    second.kill();
    second = Server::start(&t.app.db, &env);
    t.app.server.kill();
    t.app.server = Server::start(&t.app.db, &env);

    // On the day: "due today" (not late yet).
    set_clock(&clock, due);
    wait_for("Nóminas de 2025", "vence el", 2).await;
    wait_for("Certificado bancario", "vence el", 2).await;
    assert_eq!(reminders("Nóminas de 2025", "Le recordamos que"), 2);

    // Three days late: the first late reminder, in the contact's words and date.
    set_clock(&clock, due.checked_add_days(Days::new(3)).unwrap());
    wait_for("Nóminas de 2025", "Seguimos esperando", 1).await;
    wait_for("Certificado bancario", "Seguimos esperando", 1).await;
    let late = t
        .to("ana@example.com")
        .iter()
        .map(|m| m.text())
        .find(|text| text.contains("Seguimos esperando"))
        .unwrap();
    assert!(
        late.contains(&format!("era el {}", due.format("%d/%m/%Y"))),
        "{late}"
    );

    // The client sends one; only the other is chased three days later.
    let client = t.accept_mailed("ana@example.com", 1).await;
    client
        .upload(
            "mutation($c: ID!, $r: ID, $file: Upload!) { uploadDocument(caseId: $c, requestId: $r, file: $file) { id } }",
            json!({"c": case, "r": ids[0]}),
            "nomina-enero.pdf",
            b"%PDF-1.4 nomina",
        )
        .await;
    client
        .ok(
            "mutation($id: ID!) { submitClientRequest(id: $id) { state } }",
            json!({"id": ids[0]}),
        )
        .await;
    set_clock(&clock, due.checked_add_days(Days::new(6)).unwrap());
    wait_for("Certificado bancario", "Seguimos esperando", 2).await;
    assert_eq!(reminders("Nóminas de 2025", "Seguimos esperando"), 1);
    // Each reminder once, though two processes ran the scheduler all along.
    assert_eq!(reminders("Certificado bancario", "Le recordamos que"), 2);
    drop(second);
}

/// Admins set the schedule; staff without the right cannot; a bad number names its field.
#[tokio::test]
async fn admins_set_when_reminders_go_out() {
    let t = portal_app_with(&[]).await;
    let read = "{ requestReminderSettings { daysBefore onDueDate everyDays } }";
    let d = t.app.admin.ok(read, json!({})).await;
    assert_eq!(
        d["requestReminderSettings"],
        json!({"daysBefore": 2, "onDueDate": true, "everyDays": 3})
    );
    let set = "mutation($b: Int!, $d: Boolean!, $e: Int!) { updateRequestReminderSettings(daysBefore: $b, onDueDate: $d, everyDays: $e) { daysBefore onDueDate everyDays } }";
    let bad = t
        .app
        .admin
        .raw(set, json!({"b": 2, "d": true, "e": 400}))
        .await;
    assert_eq!(crate::helpers::code(&bad["errors"][0]), "VALIDATION");
    assert_eq!(bad["errors"][0]["extensions"]["field"], "everyDays");
    let e = t
        .manager
        .err(set, json!({"b": 5, "d": false, "e": 7}))
        .await;
    assert_eq!(crate::helpers::code(&e), "FORBIDDEN");
    let d = t
        .app
        .admin
        .ok(set, json!({"b": 5, "d": false, "e": 7}))
        .await;
    assert_eq!(
        d["updateRequestReminderSettings"],
        json!({"daysBefore": 5, "onDueDate": false, "everyDays": 7})
    );
    assert_eq!(
        t.app.admin.ok(read, json!({})).await["requestReminderSettings"]["everyDays"],
        7
    );
}
