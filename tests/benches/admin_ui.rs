//! The staff UI's benchmark, on the shared data set (100,000 cases):
//!
//! - server time of the case list's requests, as the list screen sends them (first page with
//!   its count, the next page by cursor, a status filter, a subject search, a sort by subject,
//!   a filter and sort on custom fields): one request at a time over a kept-alive connection on
//!   loopback, so the time measured is the server's plus a loopback round trip;
//! - a cold start of the UI in a real browser: a fresh profile (empty cache), already signed
//!   in, opens `/admin/cases`; measured from the navigation's start until the list's rows are
//!   on screen (the list is then interactive: the app has rendered it and handles input), with
//!   the bytes the browser received;
//! - the same with the browser's cache warm.
//!
//! Needs `chromium` and `chromedriver` (Debian's `chromium`, `chromium-driver`).
//! Environment: as the load benchmark (`PORTICO_BENCH_DATABASE_URL`, `PORTICO_BENCH_DIR`,
//! `PORTICO_BENCH_CASES`), plus `PORTICO_BENCH_RUNS` (200 requests per list query) and
//! `PORTICO_BENCH_BROWSER_RUNS` (10 cold starts).

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::dataset::{env_u64, load};
use common::start_with;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A minimal WebDriver client: what the cold start needs, nothing else.
struct Driver {
    child: Child,
    http: reqwest::Client,
    base: String,
}

impl Driver {
    async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (apt-get install chromium chromium-driver)");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Driver { child, http, base }
    }

    /// A new browser with a fresh profile: nothing cached, no cookies.
    async fn session(&self) -> String {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"]}}}});
        let res: Value = self
            .http
            .post(format!("{}/session", self.base))
            .json(&caps)
            .send()
            .await
            .expect("session")
            .json()
            .await
            .expect("json");
        res["value"]["sessionId"]
            .as_str()
            .expect("a browser session")
            .to_owned()
    }

    async fn call(&self, session: &str, path: &str, body: Value) -> Value {
        let res: Value = self
            .http
            .post(format!("{}/session/{session}{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("webdriver")
            .json()
            .await
            .expect("json");
        assert!(res["value"].get("error").is_none(), "{path}: {res}");
        res["value"].clone()
    }

    async fn quit(&self, session: &str) {
        let _ = self
            .http
            .delete(format!("{}/session/{session}", self.base))
            .send()
            .await;
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run in the page once it has loaded: waits for the list's rows and answers when they
/// appeared (ms since the navigation started) and the bytes received for the page.
const ROWS_SHOWN: &str = "const done = arguments[arguments.length - 1];
const seen = () => document.querySelectorAll('main tbody tr').length > 0;
const answer = () => {
  const nav = performance.getEntriesByType('navigation')[0];
  const bytes = performance.getEntriesByType('resource').filter((r) => !r.name.includes('/graphql'))
    .reduce((n, r) => n + r.transferSize, nav ? nav.transferSize : 0);
  done({ ms: performance.now(), bytes });
};
if (seen()) answer(); else {
  new MutationObserver((_, o) => { if (seen()) { o.disconnect(); answer(); } })
    .observe(document.body, { childList: true, subtree: true });
}";

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let keep = std::env::var("PORTICO_BENCH_DIR").ok().map(PathBuf::from);
    let dir = keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("portico_ui_bench_{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).expect("bench dir");
    let mut pg = None;
    let url = match std::env::var("PORTICO_BENCH_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(admin) => {
            use sea_orm::{ConnectionTrait, Database};
            let db = Database::connect(&admin).await.expect("postgres");
            let name = format!("portico_ui_bench_{}", std::process::id());
            db.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await
                .expect("create db");
            let base = admin
                .rsplit_once('/')
                .map_or(admin.as_str(), |(b, _)| b)
                .to_owned();
            let url = format!("{base}/{name}");
            let (contacts, cases, took) = load(&url, &dir).await;
            println!(
                "loaded {contacts} contacts and {cases} cases in {:.1} s",
                took.as_secs_f64()
            );
            pg = Some((db, name));
            url
        }
        None => {
            let file = dir.join("portico.db");
            let url = format!("sqlite://{}?mode=rwc", file.display());
            if keep.is_none() || !file.exists() {
                let (contacts, cases, took) = load(&url, &dir).await;
                println!(
                    "loaded {contacts} contacts and {cases} cases in {:.1} s",
                    took.as_secs_f64()
                );
            }
            url
        }
    };
    let server = start_with(&url, &dir, &[]);
    let endpoint = format!("{}/graphql", server.url);
    let http = reqwest::Client::new();
    let login: Value = http
        .post(&endpoint)
        .json(&json!({"query": "mutation { login(email: \"admin@example.com\", password: \"benchmark password\") { token } }"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    let token = login["data"]["login"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let gql = async |query: &str, variables: Value| -> (Value, Duration) {
        let started = Instant::now();
        let v: Value = http
            .post(&endpoint)
            .bearer_auth(&token)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json");
        let took = started.elapsed();
        assert!(v.get("errors").is_none(), "{v}");
        (v, took)
    };

    // What the list screen sends: its columns, 25 rows, the count.
    let list = "query($after: String, $filter: CaseFilter, $orderBy: [CaseOrderBy!]) {
      cases(first: 25, after: $after, filter: $filter, orderBy: $orderBy) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { id subject number status client { id name } owner { id name } createdAt } } } }";
    let newest = json!([{"field": "createdAt", "direction": "DESC"}]);
    let (first, _) = gql(list, json!({"orderBy": newest})).await;
    let cursor = first["data"]["cases"]["pageInfo"]["endCursor"].clone();
    let total = first["data"]["cases"]["totalCount"].as_i64().unwrap_or(0);
    let queries: Vec<(&str, Value)> = vec![
        (
            "first page, newest first, with the count",
            json!({"orderBy": newest}),
        ),
        (
            "next page by cursor",
            json!({"orderBy": newest, "after": cursor}),
        ),
        (
            "status is Open",
            json!({"orderBy": newest, "filter": {"status": {"eq": "OPEN"}}}),
        ),
        (
            "subject contains \"refund\"",
            json!({"orderBy": newest, "filter": {"subject": {"contains": "refund"}}}),
        ),
        (
            "sorted by subject",
            json!({"orderBy": [{"field": "subject", "direction": "ASC"}]}),
        ),
        (
            "priority is Urgent, by SLA hours",
            json!({"orderBy": [{"field": "slaHours", "direction": "ASC"}], "filter": {"priority": {"eq": "URGENT"}}}),
        ),
        (
            "one client's cases",
            json!({"orderBy": newest, "filter": {"client": {"eq": "42"}}}),
        ),
    ];
    let runs = env_u64("PORTICO_BENCH_RUNS", 200) as usize;
    println!("\n{total} cases; {runs} requests each, one at a time\n");
    println!("| case list request | matches | p50 ms | p95 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    for (name, vars) in &queries {
        let (answer, _) = gql(list, vars.clone()).await;
        let matches = answer["data"]["cases"]["totalCount"].as_i64().unwrap_or(0);
        for _ in 0..10 {
            gql(list, vars.clone()).await;
        }
        let mut ms = Vec::with_capacity(runs);
        for _ in 0..runs {
            ms.push(gql(list, vars.clone()).await.1.as_secs_f64() * 1000.0);
        }
        ms.sort_by(f64::total_cmp);
        println!(
            "| {name} | {matches} | {:.1} | {:.1} | {:.1} |",
            percentile(&ms, 0.5),
            percentile(&ms, 0.95),
            ms.last().copied().unwrap_or(0.0)
        );
    }

    // The browser: each cold start in a fresh profile, signed in by the session endpoint
    // from a page of the same origin first (so the measured load starts signed in; the portal's
    // sign-in page, because its policy lets a script call the server, and loads nothing of
    // the admin UI's).
    let driver = Driver::start().await;
    let browser_runs = env_u64("PORTICO_BENCH_BROWSER_RUNS", 10) as usize;
    let (mut cold, mut warm) = (Vec::new(), Vec::new());
    let mut bytes = 0;
    for _ in 0..browser_runs {
        let s = driver.session().await;
        driver
            .call(
                &s,
                "/url",
                json!({"url": format!("{}/portal/login", server.url)}),
            )
            .await;
        driver
            .call(&s, "/execute/async", json!({"script": "const done = arguments[arguments.length - 1];
                fetch('/admin/session', {method: 'POST', headers: {'Content-Type': 'application/json'},
                  body: JSON.stringify({email: 'admin@example.com', password: 'benchmark password'})}).then((r) => done(r.status), (e) => done(String(e)));", "args": []}))
            .await;
        for (i, into) in [&mut cold, &mut warm].into_iter().enumerate() {
            driver
                .call(
                    &s,
                    "/url",
                    json!({"url": format!("{}/admin/cases", server.url)}),
                )
                .await;
            let shown = driver
                .call(
                    &s,
                    "/execute/async",
                    json!({"script": ROWS_SHOWN, "args": []}),
                )
                .await;
            into.push(shown["ms"].as_f64().expect("ms"));
            if i == 0 {
                bytes = shown["bytes"].as_i64().unwrap_or(0);
            }
        }
        driver.quit(&s).await;
    }
    cold.sort_by(f64::total_cmp);
    warm.sort_by(f64::total_cmp);
    println!("\n| /admin/cases in a browser, signed in | runs | median ms | max ms |");
    println!("|---|---:|---:|---:|");
    println!(
        "| cold start (empty cache) until the rows show | {} | {:.0} | {:.0} |",
        cold.len(),
        percentile(&cold, 0.5),
        cold.last().copied().unwrap_or(0.0)
    );
    println!(
        "| again, cache warm | {} | {:.0} | {:.0} |",
        warm.len(),
        percentile(&warm, 0.5),
        warm.last().copied().unwrap_or(0.0)
    );
    println!(
        "\nbytes received on a cold start (page, scripts, styles; GraphQL answers excluded): {bytes}"
    );
    println!(
        "first load as the server counts it (page and every asset, gzipped): {}",
        portico_admin::first_load_bytes()
    );
    println!(
        "server peak RSS: {:.0} MiB",
        common::peak_rss_mib(server.child.id())
    );
    drop(server);
    if let Some((db, name)) = pg {
        use sea_orm::ConnectionTrait;
        let _ = db
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
    }
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
