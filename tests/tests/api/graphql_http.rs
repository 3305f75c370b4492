//! The graphql-http server audits (the reference GraphQL-over-HTTP conformance suite) against
//! `/graphql` and `/portal/graphql`. Needs Node.js; the npm packages are installed on first use from the lock file.

use crate::helpers::spawn_app;
use std::path::PathBuf;
use std::process::Command;

pub fn js_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("js")
}

fn installed(dir: &std::path::Path) -> bool {
    // Written once `npm ci` has finished: the packages' own files appear while it is still
    // writing them, and a test that read a half-written axe.min.js failed (a fresh clone's
    // browser tests all start at once).
    dir.join("node_modules/.portico-installed").exists()
}

/// Installs the pinned npm packages once; a lock directory keeps parallel tests from racing.
pub fn ensure_packages() {
    let dir = js_dir();
    if installed(&dir) {
        return;
    }
    let lock = dir.join(".install-lock");
    let started = std::time::Instant::now();
    loop {
        match std::fs::create_dir(&lock) {
            Ok(()) => break,
            Err(_) => {
                std::thread::sleep(std::time::Duration::from_millis(200));
                if installed(&dir) {
                    return;
                }
                // A run stopped midway leaves its lock behind.
                let stale = std::fs::metadata(&lock)
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .is_some_and(|age| age > std::time::Duration::from_secs(600));
                if stale {
                    let _ = std::fs::remove_dir(&lock);
                }
                assert!(
                    started.elapsed() < std::time::Duration::from_secs(900),
                    "waited 15 minutes for `npm ci` in {}; remove {} if no install is running",
                    dir.display(),
                    lock.display()
                );
            }
        }
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .status();
    if matches!(&status, Ok(s) if s.success()) {
        let _ = std::fs::write(
            dir.join("node_modules/.portico-installed"),
            b"npm ci done\n",
        );
    }
    let _ = std::fs::remove_dir(&lock);
    let status = status.expect("npm is needed for the graphql-http audits (install Node.js)");
    assert!(status.success(), "npm ci failed in {}", dir.display());
}

/// Runs the audits on `base` + `path` as the holder of `token` (integrators sign in; the
/// schema is not for anonymous eyes).
async fn audit(base: &str, path: &str, token: &str) {
    ensure_packages();
    let url = format!("{base}{path}");
    let token = token.to_owned();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(js_dir().join("audit.mjs"))
            .arg(url)
            .arg(token)
            .output()
            .expect("node is needed for the graphql-http audits (install Node.js)")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "audits failed on {path}:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("audits: 61 passed, 0 failed"), "{stdout}");
}

#[tokio::test]
async fn all_graphql_http_server_audits_pass_on_the_staff_endpoint() {
    let app = spawn_app().await;
    let token = app.admin.token.clone().unwrap();
    audit(&app.server.url, "/graphql", &token).await;
}

#[tokio::test]
async fn all_graphql_http_server_audits_pass_on_the_portal_endpoint() {
    let t = crate::portal::portal_app().await;
    let carla = t
        .create_contact(serde_json::json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    let case = t
        .create_case(serde_json::json!({"subject": "Audited"}))
        .await;
    t.link(&case, &carla).await;
    t.set_access(&case, &carla, true, true).await;
    let portal = t.accept_mailed("carla@example.com", 1).await;
    audit(&t.app.server.url, "/portal/graphql", &portal.token.unwrap()).await;
}
