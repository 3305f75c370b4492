//! The engine names every table and column once (`engine/src/db/tables.rs`) and checks those
//! names against the database when it opens it: a database whose tables differ from what this
//! version uses is refused at start, naming the table, instead of failing requests later.

use crate::helpers::{TestDb, engine_config};
use portico_engine::Engine;
use sea_orm::{ConnectionTrait, Database};

#[tokio::test]
async fn an_engine_refuses_a_database_missing_a_column_it_uses() {
    let db = TestDb::new().await;
    let (engine, _maintenance) = Engine::open(engine_config(&db, None))
        .await
        .expect("a freshly migrated database matches the engine's names");
    drop(engine);

    let conn = Database::connect(&db.url).await.expect("connect");
    conn.execute_unprepared("ALTER TABLE case_portal_access DROP COLUMN can_download")
        .await
        .expect("drop a column the engine reads");
    let _ = conn.close().await;

    let refused = Engine::open(engine_config(&db, None)).await;
    let message = match refused {
        Ok(_) => panic!("an engine opened a database that lacks case_portal_access.can_download"),
        Err(e) => e.to_string(),
    };
    assert!(
        message.contains("CasePortalAccess"),
        "the refusal names the table: {message}"
    );
}
