//! The shared benchmark data set (`../shared/bench/seed.py`: 1,000 contacts, 100,000 cases),
//! loaded into a fresh database through the engine, as an admin would import it.
//!
//! `PORTICO_BENCH_SEED` (path of seed.py), `PORTICO_BENCH_CASES` (100000).

use portico_engine::metadata::{DefinitionChange, EntityKind, FieldType, NewDefinition};
use portico_engine::records::NewRecord;
use portico_engine::{Engine, EngineConfig};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// RFC 4180 rows: quoted fields may hold commas, quotes (doubled) and newlines.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

fn read_csv(path: &Path) -> Vec<Map<String, Value>> {
    let text = std::fs::read_to_string(path).expect("read csv");
    let mut rows = parse_csv(&text).into_iter();
    let header = rows.next().expect("header");
    rows.map(|r| {
        header
            .iter()
            .cloned()
            .zip(r.into_iter().map(Value::String))
            .collect()
    })
    .collect()
}

fn values(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The engine as a tool opens it: the theme's emails, document bytes under `dir`.
pub fn engine_config(url: &str, dir: &Path) -> EngineConfig {
    EngineConfig {
        database_url: url.to_owned(),
        public_url: "http://127.0.0.1:8080".into(),
        portal_limits: Default::default(),
        blobs: std::sync::Arc::new(portico_engine::documents::LocalBlobStore::new(
            dir.join("files"),
        )),
        max_upload_bytes: 1 << 30,
        mail_renderer: std::sync::Arc::new(
            portico_server::mail::ThemeRenderer::new().expect("the theme's emails"),
        ),
        reply_domain: None,
        mail_gather: portico_engine::DEFAULT_MAIL_GATHER,
    }
}

pub async fn load(url: &str, dir: &Path) -> (usize, usize, Duration) {
    let seed = std::env::var("PORTICO_BENCH_SEED")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/seed.py")
        });
    let cases = env_u64("PORTICO_BENCH_CASES", 100_000).to_string();
    let status = Command::new("python3")
        .arg(&seed)
        .arg("--csv")
        .arg(dir)
        .args(["--cases", &cases])
        .status()
        .expect("python3 seed.py");
    assert!(status.success(), "seed.py failed");
    let started = Instant::now();
    let (engine, maintenance) = Engine::open(engine_config(url, dir)).await.expect("open");
    maintenance
        .bootstrap_admin(Some("admin@example.com"), Some("benchmark password"))
        .await
        .expect("admin");
    // The loader signs in like any admin: the engine hands out nothing without credentials.
    let session = engine
        .login("admin@example.com", "benchmark password", None)
        .await
        .expect("login");
    let p = engine
        .authenticate(&session.token)
        .await
        .expect("authenticate")
        .expect("an admin handle");
    p.update_field_definition(
        EntityKind::Contact,
        "portalUser",
        DefinitionChange {
            active: Some(true),
            ..Default::default()
        },
    )
    .await
    .expect("activate portalUser");
    let select = |key: &str, options: &[&str]| NewDefinition {
        entity: Some(EntityKind::Case),
        key: key.into(),
        label: key.into(),
        field_type: Some(FieldType::Select),
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        ..Default::default()
    };
    for d in [
        select("priority", &["Low", "Normal", "High", "Urgent"]),
        select("channel", &["portal", "email", "phone", "chat"]),
        select(
            "product",
            &[
                "Billing", "Shipping", "Account", "Hardware", "Software", "Contract",
            ],
        ),
        NewDefinition {
            entity: Some(EntityKind::Case),
            key: "slaHours".into(),
            label: "SLA hours".into(),
            field_type: Some(FieldType::Number),
            ..Default::default()
        },
        NewDefinition {
            entity: Some(EntityKind::Case),
            key: "reopened".into(),
            label: "Reopened".into(),
            field_type: Some(FieldType::Boolean),
            ..Default::default()
        },
    ] {
        p.create_field_definition(d).await.expect("field");
    }
    engine.sync().await.expect("sync");

    let contacts = read_csv(&dir.join("contacts.csv"));
    let batch: Vec<NewRecord> = contacts
        .iter()
        .map(|c| NewRecord {
            id: c["id"].as_str().and_then(|s| s.parse().ok()),
            created_at: None,
            values: values(json!({"name": c["name"], "email": c["email"], "kind": "Individual", "portalUser": c["portal_user"] == "true"})),
        })
        .collect();
    let n_contacts = p
        .import(EntityKind::Contact, batch)
        .await
        .expect("contacts");

    let cases = read_csv(&dir.join("cases.csv"));
    let mut n_cases = 0;
    for chunk in cases.chunks(5_000) {
        let batch: Vec<NewRecord> = chunk
            .iter()
            .map(|c| {
                let custom: Value = serde_json::from_str(c["custom"].as_str().unwrap_or("{}")).expect("custom json");
                let created = chrono::DateTime::parse_from_rfc3339(c["created_at"].as_str().unwrap()).expect("created_at");
                NewRecord {
                    id: c["id"].as_str().and_then(|s| s.parse().ok()),
                    created_at: Some(created.timestamp_micros()),
                    values: values(json!({
                        "subject": c["subject"], "description": c["description"], "status": c["status"],
                        "priority": c["priority"], "client": c["contact_id"].as_str().and_then(|s| s.parse::<i64>().ok()),
                        "channel": custom["channel"], "product": custom["product"],
                        "slaHours": custom["sla_hours"], "reopened": custom["reopened"],
                    })),
                }
            })
            .collect();
        n_cases += p.import(EntityKind::Case, batch).await.expect("cases");
    }
    engine.close().await.expect("close");
    (n_contacts, n_cases, started.elapsed())
}
