//! Times the engine's own share of the benchmark operations (no HTTP, no GraphQL) on the
//! database `cargo bench --bench load` kept in PORTICO_BENCH_DIR: where the time of a request
//! goes, split by layer.

use portico_engine::Engine;
use portico_engine::metadata::EntityKind;
use portico_engine::records::{Condition, Direction, ListQuery, Op, Sort};

#[allow(dead_code)] // this benchmark opens the engine only; the server helpers are the others'
mod common;
use std::time::Instant;

#[tokio::main]
async fn main() {
    let Ok(dir) = std::env::var("PORTICO_BENCH_DIR") else {
        eprintln!("set PORTICO_BENCH_DIR to a directory the load benchmark filled");
        return;
    };
    let url = format!("sqlite://{dir}/portico.db?mode=rwc");
    let (engine, _) = Engine::open(common::dataset::engine_config(&url, dir.as_ref()))
        .await
        .expect("open");
    // The admin the load benchmark created, signed in as any admin would be.
    let session = engine
        .login("admin@example.com", "benchmark password", None)
        .await
        .expect("login (run the load benchmark first)");
    let p = engine
        .authenticate(&session.token)
        .await
        .expect("authenticate")
        .expect("an admin handle");
    let list = ListQuery {
        conditions: vec![
            Condition {
                key: "client".into(),
                op: Op::Eq,
                value: 42.into(),
            },
            Condition {
                key: "status".into(),
                op: Op::Eq,
                value: "Open".into(),
            },
        ],
        sort: vec![Sort {
            key: "createdAt".into(),
            direction: Direction::Desc,
        }],
        first: Some(20),
        after: None,
        // The benchmark's list asks for no custom field.
        without_custom: true,
    };
    let n = 5_000;
    for (name, run) in [("sync", 0), ("list 20", 1), ("get", 2)] {
        let start = Instant::now();
        for _ in 0..n {
            match run {
                0 => {
                    engine.sync().await.expect("sync");
                }
                1 => {
                    let page = p.list(EntityKind::Case, &list).await.expect("list");
                    assert_eq!(page.records.len(), 20);
                }
                _ => {
                    p.get(EntityKind::Case, 54321).await.expect("get");
                }
            }
        }
        println!(
            "{name}: {:.1} us per call (one task)",
            start.elapsed().as_secs_f64() * 1e6 / n as f64
        );
    }
}
