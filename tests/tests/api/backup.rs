//! `portico backup` of a live server while a client keeps writing, then `portico restore` into
//! a new data directory (and database): every case and document acknowledged before the
//! backup began is there, documents byte for byte. On PostgreSQL the database goes through
//! pg_dump and pg_restore, as the README says, and the command copies the blobs.

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Client, Server, TempDir, TestDb, portico, run_ok,
};
use crate::portal::id;
use serde_json::json;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const UPLOAD: &str =
    "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }";

#[derive(Clone, Debug)]
struct Acked {
    subject: String,
    document: Option<(String, Vec<u8>)>,
}

fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres")
}

fn restore(db: &TestDb, src: &Path) -> String {
    if is_postgres(&db.url) {
        let mut load = std::process::Command::new("pg_restore");
        load.args(["--no-owner", "-d", &db.url])
            .arg(src.join("portico.dump"));
        run_ok(load, "pg_restore");
    }
    let mut cmd = portico(&db.url, &db.dir.0);
    cmd.arg("restore").arg(src);
    run_ok(cmd, "portico restore")
}

#[tokio::test]
async fn a_live_server_backed_up_under_writes_restores_every_acknowledged_record_and_document() {
    let db = TestDb::new().await;
    let server = Server::start(&db, &[]);
    let admin = Client::new(&server.url)
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let (admin, acked, writing) = (admin.clone(), acked.clone(), writing.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while writing.load(Ordering::Relaxed) {
                n += 1;
                let subject = format!("Backed-up case {n}");
                let case = id(&admin
                    .ok(
                        "mutation($s: String!) { createCase(input: {subject: $s}) { id } }",
                        json!({"s": subject}),
                    )
                    .await["createCase"]);
                let document = if n % 2 == 0 {
                    let bytes = format!("%PDF-1.7\ndocument of case {n}\n").into_bytes();
                    let up = admin
                        .upload(UPLOAD, json!({"c": case}), &format!("case{n}.pdf"), &bytes)
                        .await;
                    Some((id(&up["uploadDocument"]), bytes))
                } else {
                    None
                };
                acked.lock().unwrap().push(Acked { subject, document });
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before: Vec<Acked> = acked.lock().unwrap().clone();
    assert!(before.len() > 5, "too few writes to tell: {}", before.len());

    // The backup runs while the writes go on.
    let dest = TempDir::new();
    let backup_dir = dest.0.join("backup");
    let said = {
        let (url, dir, backup_dir) = (db.url.clone(), db.dir.0.clone(), backup_dir.clone());
        tokio::task::spawn_blocking(move || back_up(&url, &dir, &backup_dir))
            .await
            .unwrap()
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    writing.store(false, Ordering::Relaxed);
    writer.await.unwrap();
    assert!(said.contains("document blobs"), "{said}");
    drop(server);

    // Into a new data directory and database.
    let new = TestDb::new().await;
    let said = restore(&new, &backup_dir);
    assert!(said.contains("restored"), "{said}");
    let restored = Server::start(&new, &[]);
    let admin = Client::new(&restored.url)
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    let mut subjects = std::collections::HashSet::new();
    let mut after: Option<String> = None;
    loop {
        let page = admin
            .ok(
                "query($a: String) { cases(first: 100, after: $a) { edges { node { subject } } pageInfo { hasNextPage endCursor } } }",
                json!({"a": after}),
            )
            .await;
        for e in page["cases"]["edges"].as_array().unwrap() {
            subjects.insert(e["node"]["subject"].as_str().unwrap().to_owned());
        }
        if page["cases"]["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = page["cases"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    for a in &before {
        assert!(subjects.contains(&a.subject), "{} is missing", a.subject);
        if let Some((doc, bytes)) = &a.document {
            let res = admin.get_file(&format!("/files/{doc}"), None).await;
            assert_eq!(res.status(), 200, "document {doc} of {}", a.subject);
            assert_eq!(res.bytes().await.unwrap().as_ref(), bytes.as_slice());
        }
    }
    // Nothing restored over a database in use.
    let mut again = portico(&new.url, &new.dir.0);
    again.arg("restore").arg(&backup_dir);
    let out = again.output().unwrap();
    if !is_postgres(&new.url) {
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("already"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// What the README says to run: pg_dump on PostgreSQL, then `portico backup`.
fn back_up(url: &str, data_dir: &Path, dest: &Path) -> String {
    if is_postgres(url) {
        let mut dump = std::process::Command::new("pg_dump");
        dump.args(["-Fc", "--no-owner", "-d", url, "-f"])
            .arg(dest.join("portico.dump"));
        std::fs::create_dir_all(dest).unwrap();
        run_ok(dump, "pg_dump");
    }
    let mut cmd = portico(url, data_dir);
    cmd.arg("backup").arg(dest);
    run_ok(cmd, "portico backup")
}
