//! The Portico benchmark: loads the shared data set (1,000 contacts, 100,000 cases) into a
//! fresh database with the engine, starts the real server (release build), and drives the three
//! benchmark operations at 32 concurrent connections for 20 s each after a 5 s warm-up.
//!
//! Environment:
//! - `PORTICO_BENCH_DATABASE_URL`: a PostgreSQL server URL (`postgres://postgres@127.0.0.1:5432/test`);
//!   a fresh database is created on it. Unset: a SQLite file in a temporary directory.
//! - `PORTICO_BENCH_SEED`: path of seed.py (default `../shared/bench/seed.py` from the workspace).
//! - `PORTICO_BENCH_SECONDS` (20), `PORTICO_BENCH_WARMUP` (5), `PORTICO_BENCH_CONNECTIONS` (32).
//! - `PORTICO_BENCH_SERVER`: the server binary to measure (default: this tree's), so that an
//!   earlier commit's build can be measured on the same data in the same run.
//! - `PORTICO_BENCH_ONLY`: run only the operations whose names contain one of these
//!   comma-separated words (`page,portal list`).
//! - `PORTICO_BENCH_CASES` (100000): a smaller data set, to show listing does not slow down
//!   as cases grow.
//! - `PORTICO_BENCH_DIR`: keep the SQLite database there (on PostgreSQL, keep the database
//!   `portico_bench_kept`) and reuse it on the next run.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
use common::dataset::{env_u64, load};
use common::{peak_rss_mib, start_with};

struct Outcome {
    requests: usize,
    errors: usize,
    latencies_us: Vec<u32>,
    seconds: f64,
}

/// Drives one operation from `connections` keep-alive connections, each sending the next
/// request as soon as the answer to the last one has arrived.
///
/// The load runs on the same two cores as the server (and PostgreSQL), so the client must cost
/// as little as possible: it writes one prepared HTTP/1.1 request and reads the answer by its
/// Content-Length, on a single thread, as wrk does. (A reqwest client took enough CPU to cut the
/// PostgreSQL figures by a third.)
fn drive(load: Load, connections: usize, warmup: Duration, run: Duration) -> Outcome {
    let (authority, request) = load.request();
    let request = Arc::new(request);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let measure_from = Instant::now() + warmup;
        let measure_until = measure_from + run;
        let tasks: Vec<_> = (0..connections)
            .map(|_| {
                tokio::spawn(connection(
                    authority.clone(),
                    request.clone(),
                    measure_from,
                    measure_until,
                ))
            })
            .collect();
        let mut latencies_us = Vec::new();
        let mut errors = 0;
        for t in tasks {
            let (lat, e) = t.await.expect("task");
            latencies_us.extend(lat);
            errors += e;
        }
        latencies_us.sort_unstable();
        Outcome {
            requests: latencies_us.len(),
            errors,
            latencies_us,
            seconds: run.as_secs_f64(),
        }
    })
}

/// What one operation of the benchmark sends, over and over.
enum Load {
    /// A GraphQL POST with a bearer token.
    GraphQl {
        endpoint: String,
        token: String,
        body: Value,
    },
    /// A portal page, signed in by the session cookie as a browser is.
    Page { url: String, session: String },
}

impl Load {
    /// The server's `host:port` and the whole HTTP/1.1 request.
    fn request(&self) -> (String, Vec<u8>) {
        let split = |url: &str| {
            let (authority, path) = url
                .trim_start_matches("http://")
                .split_once('/')
                .expect("host:port/path");
            (authority.to_owned(), path.to_owned())
        };
        match self {
            Load::GraphQl {
                endpoint,
                token,
                body,
            } => {
                let (authority, path) = split(endpoint);
                let body = body.to_string();
                let request = format!(
                    "POST /{path} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\n\
                     Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                );
                (authority, request.into_bytes())
            }
            Load::Page { url, session } => {
                let (authority, path) = split(url);
                let request = format!(
                    "GET /{path} HTTP/1.1\r\nHost: {authority}\r\nAccept: text/html\r\n\
                     Accept-Language: es-ES,es;q=0.9\r\nCookie: portico_portal_session={session}\r\n\r\n"
                );
                (authority, request.into_bytes())
            }
        }
    }
}

/// One connection's loop; gives the latencies measured and how many answers were errors (a
/// status other than 200, or a GraphQL `errors` key). A broken connection is reopened.
async fn connection(
    authority: String,
    request: Arc<Vec<u8>>,
    measure_from: Instant,
    measure_until: Instant,
) -> (Vec<u32>, usize) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut lat = Vec::new();
    let mut errors = 0;
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut stream: Option<tokio::net::TcpStream> = None;
    loop {
        let t = Instant::now();
        if t >= measure_until {
            break;
        }
        let mut ok = false;
        if stream.is_none() {
            stream = tokio::net::TcpStream::connect(&authority).await.ok();
            if let Some(s) = &stream {
                let _ = s.set_nodelay(true);
            }
        }
        if let Some(s) = stream.as_mut() {
            buf.clear();
            let answer = async {
                s.write_all(&request).await?;
                loop {
                    if let Some((status, body)) = complete_response(&buf) {
                        let errors_key = body.windows(9).any(|w| w == b"\"errors\":");
                        return Ok::<bool, std::io::Error>(status == 200 && !errors_key);
                    }
                    let mut chunk = [0u8; 16 * 1024];
                    let n = s.read(&mut chunk).await?;
                    if n == 0 {
                        return Err(std::io::ErrorKind::UnexpectedEof.into());
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
            }
            .await;
            match answer {
                Ok(good) => ok = good,
                Err(_) => stream = None,
            }
        }
        if t >= measure_from {
            lat.push(t.elapsed().as_micros() as u32);
            if !ok {
                errors += 1;
            }
        }
    }
    (lat, errors)
}

/// The status and body of a complete HTTP/1.1 response with a Content-Length, or `None` while
/// more bytes are needed.
fn complete_response(buf: &[u8]) -> Option<(u16, &[u8])> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    let status = head.get(9..12)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let body = buf.get(head_end..head_end + length)?;
    Some((status, body))
}

/// Brings the case's documents up to `wanted` through the portal page's upload form (one POST
/// carrying the missing files), so a rerun on a kept database does not add more.
async fn documents_on(
    http: &reqwest::Client,
    server: &str,
    portal: &str,
    session: &str,
    case: &str,
    wanted: usize,
) {
    let listed: Value = http
        .post(portal)
        .bearer_auth(session)
        .json(&json!({"query": "query($c: ID!) { documents(caseId: $c) { id } }", "variables": {"c": case}}))
        .send()
        .await
        .expect("documents")
        .json()
        .await
        .expect("json");
    let have = listed["data"]["documents"]
        .as_array()
        .unwrap_or_else(|| panic!("the case's documents: {listed}"))
        .len();
    if have >= wanted {
        return;
    }
    // The form's token, as a browser has it: from the page, for this visitor's cookies.
    let nonce = "b".repeat(64);
    let cookies = format!("portico_portal_session={session}; portico_csrf={nonce}");
    let page = http
        .get(format!("{server}/portal/cases/{case}"))
        .header("cookie", &cookies)
        .send()
        .await
        .expect("case page")
        .text()
        .await
        .expect("case page text");
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("the case page has no upload form: {page}"))
        .to_owned();
    let boundary = "PorticoBenchBoundary";
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .into_bytes();
    for n in have..wanted {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"Statement {n:02} of the benchmark account.pdf\"\r\n\
                 Content-Type: application/pdf\r\n\r\n%PDF-1.4 statement {n}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let res = http
        .post(format!("{server}/portal/cases/{case}/documents"))
        .header("cookie", &cookies)
        .header("sec-fetch-site", "same-origin")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("upload");
    // The answer is the case page (a redirect to it, followed).
    let page = res.text().await.expect("upload answer");
    assert!(
        page.contains("Statement 00") || have > 0,
        "uploading the documents: {page}"
    );
}

/// Brings the case's conversation up to `wanted` messages: staff replies and, every third,
/// the client's answer (a rerun on a kept database adds none).
async fn conversation_on(
    http: &reqwest::Client,
    staff: &str,
    token: &str,
    portal: &str,
    session: &str,
    case: &str,
    wanted: usize,
) {
    let listed: Value = http
        .post(staff)
        .bearer_auth(token)
        .json(&json!({"query": "query($c: ID!) { caseMessages(caseId: $c) { id } }", "variables": {"c": case}}))
        .send()
        .await
        .expect("messages")
        .json()
        .await
        .expect("json");
    let have = listed["data"]["caseMessages"]
        .as_array()
        .unwrap_or_else(|| panic!("the case's messages: {listed}"))
        .len();
    for n in have..wanted {
        let (endpoint, bearer, query) = if n % 3 == 2 {
            (
                portal,
                session,
                "mutation($c: ID!, $b: String!) { postCaseMessage(caseId: $c, body: $b) { id } }",
            )
        } else {
            (
                staff,
                token,
                "mutation($c: ID!, $b: String!) { postCaseMessage(caseId: $c, body: $b, internal: false) { id } }",
            )
        };
        let body = format!(
            "Mensaje {n} sobre la declaración: revise el borrador en https://ejemplo.es/guia y díganos si está conforme.\nGracias."
        );
        let made: Value = http
            .post(endpoint)
            .bearer_auth(bearer)
            .json(&json!({"query": query, "variables": {"c": case, "b": body}}))
            .send()
            .await
            .expect("message")
            .json()
            .await
            .expect("json");
        assert!(made["errors"].is_null(), "{made}");
    }
}

const PORTAL_PASSWORD: &str = "benchmark portal password";

/// Deletes the emails waiting to be sent; answers how many.
async fn drop_pending_mail(url: &str) -> u64 {
    use sea_orm::{ConnectionTrait, Database};
    let db = Database::connect(url).await.expect("the database");
    let done = db
        .execute_unprepared("DELETE FROM mail_outbox WHERE status = 'pending'")
        .await
        .expect("emptying the outbox");
    let _ = db.close().await;
    done.rows_affected()
}

/// Gives `contact` portal access to exactly `n` cases, spread evenly over all of them.
async fn set_grants(url: &str, contact: u32, n: u64) {
    use sea_orm::{ConnectionTrait, Database};
    let db = Database::connect(url).await.expect("the database");
    let total = env_u64("PORTICO_BENCH_CASES", 100_000);
    let step = (total / n).max(1);
    for sql in [
        format!("DELETE FROM case_portal_access WHERE contact_id = {contact}"),
        format!(
            "INSERT INTO case_portal_access \
             (case_id, contact_id, enabled, can_download, updated_at, case_created_at) \
             SELECT id, {contact}, TRUE, TRUE, 0, created_at FROM cases \
             WHERE id % {step} = 0 ORDER BY id LIMIT {n}"
        ),
    ] {
        db.execute_unprepared(&sql)
            .await
            .expect("setting the grants");
    }
    let _ = db.close().await;
}

/// Signs a contact in to the portal. On a fresh database staff first give it access to each of
/// its cases (through the API, as staff would); the first grant emails an invitation, written
/// as an `.eml` file (no SMTP in the benchmark), whose link sets the password.
async fn portal_session(
    http: &reqwest::Client,
    staff: &str,
    portal: &str,
    token: &str,
    dir: &Path,
    contact: u32,
) -> String {
    let post = |endpoint: &str, token: Option<&str>, body: Value| {
        let mut r = http.post(endpoint).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        async move {
            r.send()
                .await
                .expect("request")
                .json::<Value>()
                .await
                .expect("json")
        }
    };
    let found = post(
        staff,
        Some(token),
        json!({"query": format!("{{ contact(id: \"{contact}\") {{ email }} }}")}),
    )
    .await;
    let email = found["data"]["contact"]["email"]
        .as_str()
        .expect("the contact has an email")
        .to_owned();
    let login = json!({"query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }", "variables": {"e": email, "p": PORTAL_PASSWORD}});
    if let Some(t) = post(portal, None, login.clone()).await["data"]["login"]["token"].as_str() {
        return t.to_owned();
    }
    let mut after: Option<String> = None;
    loop {
        let page = post(
            staff,
            Some(token),
            json!({"query": "query($a: String, $c: ID!) { cases(first: 100, after: $a, filter: {client: {eq: $c}}) { edges { node { id } } pageInfo { hasNextPage endCursor } } }", "variables": {"a": after, "c": contact.to_string()}}),
        )
        .await;
        let edges = page["data"]["cases"]["edges"]
            .as_array()
            .unwrap_or_else(|| panic!("the contact's cases: {page}"))
            .clone();
        for edge in edges {
            let granted = post(
                staff,
                Some(token),
                json!({"query": "mutation($c: ID!, $p: ID!) { setPortalAccess(caseId: $c, contactId: $p, enabled: true, canDownload: true) { enabled } }", "variables": {"c": edge["node"]["id"], "p": contact.to_string()}}),
            )
            .await;
            assert!(granted["errors"].is_null(), "{granted}");
        }
        let info = &page["data"]["cases"]["pageInfo"];
        if info["hasNextPage"] != true {
            break;
        }
        after = info["endCursor"].as_str().map(str::to_owned);
    }
    let invitation = wait_for_invitation(&dir.join("mail"), &email).await;
    let accepted = post(
        portal,
        None,
        json!({"query": "mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { token } }", "variables": {"t": invitation, "p": PORTAL_PASSWORD}}),
    )
    .await;
    accepted["data"]["acceptInvitation"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("accepting the invitation: {accepted}"))
        .to_owned()
}

/// The invitation token of the newest `.eml` file holding one (each grant's email carries a
/// new token that voids the one before); quoted-printable soft line breaks removed first.
fn newest_invitation(mail_dir: &Path, to: &str) -> Option<String> {
    let mut newest: Option<(u64, String)> = None;
    for entry in std::fs::read_dir(mail_dir).into_iter().flatten().flatten() {
        let text = std::fs::read_to_string(entry.path())
            .unwrap_or_default()
            .replace("=\r\n", "")
            .replace("=\n", "");
        if !text.contains(to) {
            continue;
        }
        let Some(at) = text.find("/portal/invitation/pin_") else {
            continue;
        };
        let rest = &text[at + "/portal/invitation/pin_".len()..];
        let hex: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
        // Message-ID: <outbox-N@...>, N the outbox row: later rows are later emails.
        let n = text
            .split("<outbox-")
            .nth(1)
            .and_then(|r| r.split('@').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        if newest.as_ref().is_none_or(|(m, _)| n > *m) {
            newest = Some((n, format!("pin_{hex}")));
        }
    }
    newest.map(|(_, token)| token)
}

/// Waits until the mail worker (polling every 2 s) has written every grant's email.
async fn wait_for_invitation(mail_dir: &Path, to: &str) -> String {
    let mut last = None;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_secs(3)).await;
        let now = newest_invitation(mail_dir, to);
        if now.is_some() && now == last {
            return now.unwrap_or_default();
        }
        last = now;
    }
    panic!("no invitation in {}", mail_dir.display());
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; nothing else is expected.
    // PORTICO_BENCH_DIR keeps the loaded SQLite database between runs (loading takes a while).
    let keep = std::env::var("PORTICO_BENCH_DIR").ok().map(PathBuf::from);
    let dir = keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("portico_bench_{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (url, backend, pg_cleanup, reuse) = match std::env::var("PORTICO_BENCH_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        Some(admin) => {
            use sea_orm::{ConnectionTrait, Database};
            let db = Database::connect(&admin).await.expect("postgres");
            let name = if keep.is_some() {
                "portico_bench_kept".to_owned()
            } else {
                format!("portico_bench_{}", std::process::id())
            };
            let exists = db
                .query_one_raw(sea_orm::Statement::from_string(
                    db.get_database_backend(),
                    format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
                ))
                .await
                .expect("pg_database")
                .is_some();
            if !exists {
                db.execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create db");
            }
            let base = admin
                .rsplit_once('/')
                .map_or(admin.as_str(), |(b, _)| b)
                .to_owned();
            let url = format!("{base}/{name}");
            if keep.is_some() {
                // Kept for the next run, like the SQLite file.
                (url, "PostgreSQL", None, exists)
            } else {
                (url, "PostgreSQL", Some((db, name)), false)
            }
        }
        None => (
            format!("sqlite://{}?mode=rwc", dir.join("portico.db").display()),
            "SQLite",
            None,
            keep.is_some() && dir.join("portico.db").exists(),
        ),
    };
    if reuse {
        println!("reusing the database in {}", dir.display());
        // An earlier run's portal creates queued thousands of emails: the mail worker would
        // render and write them while this run measures, on the same cores.
        let dropped = drop_pending_mail(&url).await;
        println!("dropped {dropped} emails an earlier run left unsent");
    } else {
        let (contacts, cases, took) = load(&url, &dir).await;
        println!(
            "loaded {contacts} contacts and {cases} cases into {backend} in {:.1} s",
            took.as_secs_f64()
        );
    }

    // One portal user opens thousands of cases here, and writes a long conversation: the
    // per-user hourly limits would measure the limiter, not the engine.
    let server = start_with(
        &url,
        &dir,
        &[
            ("PORTICO_PORTAL_CASES_PER_HOUR", "1000000000"),
            ("PORTICO_PORTAL_MESSAGES_PER_HOUR", "1000000000"),
        ],
    );
    let endpoint = format!("{}/graphql", server.url);
    let http = reqwest::Client::new();
    let gql = |q: &str, token: Option<&str>| {
        let mut r = http.post(&endpoint).json(&json!({"query": q}));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r
    };
    let login: Value = gql("mutation { login(email: \"admin@example.com\", password: \"benchmark password\") { token } }", None)
        .send().await.expect("login").json().await.expect("json");
    let session = login["data"]["login"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let api: Value = gql(
        "mutation { createApiToken(name: \"benchmark\") { token } }",
        Some(&session),
    )
    .send()
    .await
    .expect("token")
    .json()
    .await
    .expect("json");
    let token = api["data"]["createApiToken"]["token"]
        .as_str()
        .expect("api token")
        .to_owned();

    let list = json!({"query": "{ cases(first: 20, filter: {client: {eq: \"42\"}, status: {eq: OPEN}}, orderBy: [{field: \"createdAt\", direction: DESC}]) { edges { node { id subject status createdAt } } } }"});
    // Case 54321 with the full data set; the middle case of a smaller one.
    let total = env_u64("PORTICO_BENCH_CASES", 100_000);
    let get_id = if total >= 54_321 { 54_321 } else { total / 2 };
    let get = json!({"query": format!("{{ case(id: \"{get_id}\") {{ id number subject description status owner {{ id name }} client {{ id name }} createdAt updatedAt priority channel product slaHours reopened }} }}")});
    let create = json!({"query": "mutation { createCase(input: {subject: \"Benchmark\", description: \"Created by the load script\", status: OPEN, priority: NORMAL, client: \"7\", channel: EMAIL, product: BILLING, slaHours: 24, reopened: false}) { id status createdAt } }"});

    // Check the answers once before measuring them.
    let check: Value = http
        .post(&endpoint)
        .bearer_auth(&token)
        .json(&list)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("json");
    let n = check["data"]["cases"]["edges"]
        .as_array()
        .map_or(0, Vec::len);
    if env_u64("PORTICO_BENCH_CASES", 100_000) == 100_000 {
        assert_eq!(n, 20, "client 42 has 20 open cases: {check}");
    }
    let check: Value = http
        .post(&endpoint)
        .bearer_auth(&token)
        .json(&get)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert!(check["data"]["case"]["slaHours"].is_i64(), "{check}");

    // The portal user: contact 42, given access to its cases by staff, signed in.
    let portal_endpoint = format!("{}/portal/graphql", server.url);
    let portal_token = portal_session(&http, &endpoint, &portal_endpoint, &token, &dir, 42).await;
    // Creates go to another user, so reruns on a kept database list what the first run did.
    let creator_token = portal_session(&http, &endpoint, &portal_endpoint, &token, &dir, 43).await;
    // Portal users with 10, 1,000 and 10,000 grants (issue 23): their case lists must cost the
    // same. Each signs in as any client does (staff grant its own cases through the API, it
    // accepts the invitation); its grants are then set to exactly that many cases, spread over
    // the whole data set, in the database: ten thousand API calls would measure the set-up.
    let mut by_grants = Vec::new();
    for (contact, grants) in [(44_u32, 10_u64), (45, 1_000), (46, 10_000)] {
        let session =
            portal_session(&http, &endpoint, &portal_endpoint, &token, &dir, contact).await;
        set_grants(&url, contact, grants).await;
        by_grants.push((grants, session));
    }
    let portal_newest =
        json!({"query": "{ cases(first: 20) { edges { node { id subject status createdAt } } } }"});
    let portal_list = json!({"query": "{ cases(status: [OPEN], first: 20) { edges { node { id subject status createdAt } } } }"});
    let portal_create = json!({"query": "mutation { createCase(input: {subject: \"Benchmark\", description: \"Opened on the portal by the load script\"}) { id status createdAt } }"});
    let check: Value = http
        .post(&portal_endpoint)
        .bearer_auth(&portal_token)
        .json(&portal_list)
        .send()
        .await
        .expect("portal list")
        .json()
        .await
        .expect("json");
    let n = check["data"]["cases"]["edges"]
        .as_array()
        .map_or(0, Vec::len);
    if env_u64("PORTICO_BENCH_CASES", 100_000) == 100_000 {
        assert_eq!(n, 20, "contact 42 sees 20 open cases: {check}");
    }

    // A case of contact 42 holding 20 documents, sent from its page's upload form, and the
    // weight of the two pages measured (each must stay under 60 KB before compression).
    let documented = check["data"]["cases"]["edges"][0]["node"]["id"]
        .as_str()
        .expect("a case of contact 42")
        .to_owned();
    documents_on(
        &http,
        &server.url,
        &portal_endpoint,
        &portal_token,
        &documented,
        20,
    )
    .await;
    // What the firm asked contact 42 for on that case: five open requests, shown on the home
    // page's "To do" and on the case page (a database reused from an earlier run has them).
    let asked: Value = http
        .post(&endpoint)
        .bearer_auth(&token)
        .json(&json!({"query": format!("{{ clientRequests(caseId: \"{documented}\") {{ id }} }}")}))
        .send()
        .await
        .expect("requests")
        .json()
        .await
        .expect("json");
    let have = asked["data"]["clientRequests"]
        .as_array()
        .map_or(0, Vec::len);
    for i in have..5 {
        let made: Value = http
            .post(&endpoint)
            .bearer_auth(&token)
            .json(&json!({"query": "mutation($i: CreateClientRequestInput!) { createClientRequest(input: $i) { id } }",
                "variables": {"i": {"caseId": documented, "contactIds": ["42"], "kind": "DOCUMENTS",
                    "title": format!("Justificantes {}", i + 1), "dueDate": "2030-01-31",
                    "instructions": "En PDF, por favor."}}}))
            .send()
            .await
            .expect("request")
            .json()
            .await
            .expect("json");
        assert!(made["errors"].is_null(), "{made}");
    }
    // Another case of contact 42 holding a conversation of 500 messages (staff replies and
    // the client's answers, some with a link), which its page shows the newest 50 of.
    let talked = check["data"]["cases"]["edges"][1]["node"]["id"]
        .as_str()
        .expect("a second case of contact 42")
        .to_owned();
    conversation_on(
        &http,
        &endpoint,
        &token,
        &portal_endpoint,
        &portal_token,
        &talked,
        500,
    )
    .await;
    for path in [
        "/portal".to_owned(),
        "/portal/cases".to_owned(),
        format!("/portal/cases/{documented}"),
        format!("/portal/cases/{talked}"),
    ] {
        let res = http
            .get(format!("{}{path}", server.url))
            .header("cookie", format!("portico_portal_session={portal_token}"))
            .send()
            .await
            .expect("page");
        assert_eq!(res.status(), 200, "{path}");
        let body = res.text().await.expect("page body");
        println!("{path}: {} bytes", body.len());
        assert!(
            body.len() <= 60 * 1024,
            "{path} weighs {} bytes",
            body.len()
        );
    }

    let connections = env_u64("PORTICO_BENCH_CONNECTIONS", 32) as usize;
    let warmup = Duration::from_secs(env_u64("PORTICO_BENCH_WARMUP", 5));
    let run = Duration::from_secs(env_u64("PORTICO_BENCH_SECONDS", 20));
    println!(
        "\n{backend}, {connections} connections, {}s warm-up, {}s measured per operation\n",
        warmup.as_secs(),
        run.as_secs()
    );
    println!("| operation | req/s | p50 ms | p99 ms | errors | server peak RSS MiB |");
    println!("|---|---:|---:|---:|---:|---:|");
    let graphql = |endpoint: &str, token: &str, body: Value| Load::GraphQl {
        endpoint: endpoint.to_owned(),
        token: token.to_owned(),
        body,
    };
    let page = |path: &str| Load::Page {
        url: format!("{}{path}", server.url),
        session: portal_token.clone(),
    };
    // Reads first: each portal create queues a "case opened" email, and the mail worker
    // renders and writes them for a while after; reads measured then would share the CPU.
    let mut operations = vec![
        ("list".to_owned(), graphql(&endpoint, &token, list)),
        ("get".to_owned(), graphql(&endpoint, &token, get)),
        // Portico's own ceiling (issue 23: `get` at half of it or more). The most requests
        // of any operation, so it is also where memory that grows per request shows.
        (
            "ceiling, { __typename }".to_owned(),
            graphql(&endpoint, &token, json!({"query": "{ __typename }"})),
        ),
        (
            "portal list".to_owned(),
            graphql(&portal_endpoint, &portal_token, portal_list),
        ),
        ("home page, 5 to do".to_owned(), page("/portal")),
        ("case list page".to_owned(), page("/portal/cases")),
        (
            "case page, 20 documents, 5 requests".to_owned(),
            page(&format!("/portal/cases/{documented}")),
        ),
        (
            "case page, 500 messages".to_owned(),
            page(&format!("/portal/cases/{talked}")),
        ),
        ("create".to_owned(), graphql(&endpoint, &token, create)),
        (
            "portal create".to_owned(),
            graphql(&portal_endpoint, &creator_token, portal_create),
        ),
    ];
    for (grants, session) in by_grants.iter().rev() {
        operations.insert(
            4,
            (
                format!("portal list, newest first, {grants} grants"),
                graphql(&portal_endpoint, session, portal_newest.clone()),
            ),
        );
    }
    let only = std::env::var("PORTICO_BENCH_ONLY").unwrap_or_default();
    for (name, load) in operations {
        if !only.is_empty() && !only.split(',').any(|o| name.contains(o.trim())) {
            continue;
        }
        let o = tokio::task::spawn_blocking(move || drive(load, connections, warmup, run))
            .await
            .expect("load");
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {} | {:.1} |",
            o.requests as f64 / o.seconds,
            percentile(&o.latencies_us, 0.50),
            percentile(&o.latencies_us, 0.99),
            o.errors,
            peak_rss_mib(server.child.id()),
        );
    }
    drop(server);
    if let Some((db, name)) = pg_cleanup {
        use sea_orm::ConnectionTrait;
        let _ = db
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
    }
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
