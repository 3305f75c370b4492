//! `spawn_app()` and friends: a fresh database, the real server process, a GraphQL client.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "correct horse battery";

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(unique("portico_test"));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A database of this test's own, dropped (on PostgreSQL) when the test ends.
pub struct TestDb {
    pub url: String,
    admin_url: Option<String>,
    name: String,
    pub dir: TempDir,
}

pub fn postgres_url() -> Option<String> {
    std::env::var("PORTICO_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

async fn pg_exec(admin_url: &str, sql: &str) {
    use sea_orm::{ConnectionTrait, Database};
    let db = Database::connect(admin_url)
        .await
        .expect("connect to PORTICO_TEST_DATABASE_URL");
    db.execute_unprepared(sql).await.expect(sql);
    let _ = db.close().await;
}

impl TestDb {
    pub async fn new() -> Self {
        let dir = TempDir::new();
        match postgres_url() {
            Some(admin_url) => {
                let name = unique("portico_t");
                pg_exec(&admin_url, &format!("CREATE DATABASE {name}")).await;
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(b, _)| b);
                TestDb {
                    url: format!("{base}/{name}"),
                    admin_url: Some(admin_url),
                    name,
                    dir,
                }
            }
            None => TestDb {
                url: format!("sqlite://{}?mode=rwc", dir.0.join("portico.db").display()),
                admin_url: None,
                name: String::new(),
                dir,
            },
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(admin_url) = self.admin_url.clone() {
            let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
            // Drop runs outside the test's runtime; use a small one of its own.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(pg_exec(&admin_url, &sql));
                }
            })
            .join();
        }
    }
}

/// The server binary with a clean environment pointing at `database_url`.
pub fn portico(database_url: &str, data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_portico-under-test"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PORTICO_LISTEN", "127.0.0.1:0")
        .env("PORTICO_DATA_DIR", data_dir)
        .env("PORTICO_DATABASE_URL", database_url)
        .env("PORTICO_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("PORTICO_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("PORTICO_LOG", "warn")
        // News for one person is gathered into one email for two seconds, not a minute: a
        // test reads its email without waiting a minute (one test sets it longer).
        .env("PORTICO_MAIL_GATHER_SECS", "2")
        .current_dir(data_dir);
    cmd
}

/// A running server process.
pub struct Server {
    child: Child,
    pub url: String,
    pub stdout: Vec<String>,
}

impl Server {
    pub fn start(db: &TestDb, extra_env: &[(&str, &str)]) -> Server {
        Self::start_in(&db.url, &db.dir.0, extra_env)
    }

    pub fn start_in(database_url: &str, data_dir: &Path, extra_env: &[(&str, &str)]) -> Server {
        Self::start_with_args(database_url, data_dir, extra_env, &[])
    }

    pub fn start_with_args(
        database_url: &str,
        data_dir: &Path,
        extra_env: &[(&str, &str)],
        args: &[&str],
    ) -> Server {
        let mut cmd = portico(database_url, data_dir);
        cmd.args(args);
        for (k, v) in extra_env {
            cmd.env(k, v);
        }
        Self::launch(cmd)
    }

    /// Starts a prepared command (see [`portico`]) and waits for its listening line.
    pub fn launch(mut cmd: Command) -> Server {
        cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("start portico");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut seen = Vec::new();
        let url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.strip_prefix("portico listening on ") {
                        break url.trim().to_owned();
                    }
                    seen.push(line);
                }
                _ => panic!("portico exited before listening; it printed: {seen:?}"),
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            url,
            stdout: seen,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The address the server listens on.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.url
            .trim_start_matches("http://")
            .parse()
            .expect("a socket address")
    }

    /// SIGTERM, as a service manager or an orchestrator stops a process.
    pub fn terminate(&self) {
        // SAFETY: kill(2) on our own child's pid.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
    }

    /// Waits (up to `limit`) for the process to exit, letting the test's own servers (SMTP...)
    /// run meanwhile; its status, or `None` if it still runs.
    pub async fn exited(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let started = std::time::Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            if started.elapsed() > limit {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGKILL: no chance to flush or finish anything.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A GraphQL client for one endpoint.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub endpoint: String,
    pub token: Option<String>,
}

impl Client {
    pub fn new(base: &str) -> Self {
        Client {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                // The server closes a kept-alive connection after 15 s without a request; a
                // client reusing one at that moment gets it closed under it.
                .pool_idle_timeout(Duration::from_secs(10))
                .build()
                .expect("http client"),
            endpoint: format!("{base}/graphql"),
            token: None,
        }
    }

    /// A client of the portal endpoint.
    pub fn portal(base: &str) -> Self {
        Client {
            endpoint: format!("{base}/portal/graphql"),
            ..Client::new(base)
        }
    }

    pub fn with_token(&self, token: &str) -> Self {
        Client {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    /// The whole response body (`data` and `errors`).
    pub async fn raw(&self, query: &str, variables: Value) -> Value {
        let mut req = self
            .http
            .post(&self.endpoint)
            .header("accept", "application/json")
            .json(&json!({"query": query, "variables": variables}));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("send");
        assert_eq!(res.status(), 200, "HTTP status for {query}");
        res.json().await.expect("json body")
    }

    /// A GraphQL multipart request (the upload spec) with one file in variable `file`; the
    /// status and the body.
    pub async fn upload_raw(
        &self,
        query: &str,
        variables: Value,
        filename: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> (u16, Value) {
        let mut vars = variables;
        vars["file"] = Value::Null;
        self.multipart(
            query,
            vars,
            &[("variables.file".into(), filename, content_type, bytes)],
        )
        .await
    }

    /// A GraphQL multipart request with each of `files` (name, bytes) in the list variable
    /// `list`, in order; the status and the body.
    pub async fn upload_list(
        &self,
        query: &str,
        variables: Value,
        list: &str,
        files: &[(&str, &[u8])],
    ) -> (u16, Value) {
        let mut vars = variables;
        vars[list] = Value::Array(files.iter().map(|_| Value::Null).collect());
        let parts: Vec<_> = files
            .iter()
            .enumerate()
            .map(|(i, (name, bytes))| {
                (format!("variables.{list}.{i}"), *name, "text/plain", *bytes)
            })
            .collect();
        self.multipart(query, vars, &parts).await
    }

    /// Sends `files` (the variable path each fills, file name, type, bytes) with the query.
    async fn multipart(
        &self,
        query: &str,
        variables: Value,
        files: &[(String, &str, &str, &[u8])],
    ) -> (u16, Value) {
        let boundary = "portico-test-boundary-7d1f";
        let operations = json!({"query": query, "variables": variables});
        let map: serde_json::Map<String, Value> = files
            .iter()
            .enumerate()
            .map(|(i, (path, ..))| (i.to_string(), json!([path])))
            .collect();
        let mut body = Vec::new();
        let part = |body: &mut Vec<u8>, headers: &str, content: &[u8]| {
            body.extend_from_slice(format!("--{boundary}\r\n{headers}\r\n\r\n").as_bytes());
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        };
        part(
            &mut body,
            "Content-Disposition: form-data; name=\"operations\"",
            operations.to_string().as_bytes(),
        );
        part(
            &mut body,
            "Content-Disposition: form-data; name=\"map\"",
            Value::Object(map).to_string().as_bytes(),
        );
        for (i, (_, filename, content_type, bytes)) in files.iter().enumerate() {
            part(
                &mut body,
                &format!(
                    "Content-Disposition: form-data; name=\"{i}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}"
                ),
                bytes,
            );
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut req = self
            .http
            .post(&self.endpoint)
            .header("accept", "application/json")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header("apollo-require-preflight", "true")
            .body(body);
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.expect("send");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// An upload's `data`, failing the test on any error.
    pub async fn upload(
        &self,
        query: &str,
        variables: Value,
        filename: &str,
        bytes: &[u8],
    ) -> Value {
        let (status, body) = self
            .upload_raw(
                query,
                variables,
                filename,
                "application/octet-stream",
                bytes,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert!(body.get("errors").is_none(), "unexpected errors: {body}");
        body["data"].clone()
    }

    /// A GET of a file endpoint path (`/files/1`), with this client's token.
    pub async fn get_file(&self, path: &str, range: Option<&str>) -> reqwest::Response {
        let base = self
            .endpoint
            .trim_end_matches("/graphql")
            .trim_end_matches("/portal");
        let mut req = self.http.get(format!("{base}{path}"));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        if let Some(r) = range {
            req = req.header("range", r);
        }
        req.send().await.expect("send")
    }

    /// `data`, failing the test on any error.
    pub async fn ok(&self, query: &str, variables: Value) -> Value {
        let body = self.raw(query, variables).await;
        assert!(
            body.get("errors").is_none(),
            "unexpected errors for {query}: {body}"
        );
        body["data"].clone()
    }

    /// The first error's code, failing the test if there is none.
    pub async fn err(&self, query: &str, variables: Value) -> Value {
        let body = self.raw(query, variables).await;
        let e = body["errors"][0].clone();
        assert!(!e.is_null(), "expected an error for {query}, got {body}");
        e
    }

    pub async fn login(&self, email: &str, password: &str) -> Client {
        let data = self
            .ok(
                "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token expiresAt } }",
                json!({"e": email, "p": password}),
            )
            .await;
        self.with_token(data["login"]["token"].as_str().expect("token"))
    }
}

/// A server with its database and an admin client.
pub struct App {
    pub db: TestDb,
    pub server: Server,
    pub admin: Client,
}

pub async fn spawn_app() -> App {
    spawn_app_with(&[]).await
}

/// A server started with extra environment (an SMTP URL, a public URL...).
pub async fn spawn_app_with(env: &[(&str, &str)]) -> App {
    let db = TestDb::new().await;
    let server = Server::start(&db, env);
    let admin = Client::new(&server.url)
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    App { db, server, admin }
}

impl App {
    pub fn client(&self) -> Client {
        Client::new(&self.server.url)
    }

    pub fn portal(&self) -> Client {
        Client::portal(&self.server.url)
    }

    /// Runs SQL on the test's database directly: how tests make time pass (expire a link).
    pub async fn sql(&self, sql: &str) {
        use sea_orm::{ConnectionTrait, Database};
        let db = Database::connect(&self.db.url).await.expect("connect");
        db.execute_unprepared(sql).await.expect(sql);
        let _ = db.close().await;
    }

    /// Creates a staff user in the given groups and returns a client logged in as them.
    pub async fn staff(&self, email: &str, groups: &[&str]) -> Client {
        self.admin
            .ok(
                "mutation($i: CreateStaffUserInput!) { createStaffUser(input: $i) { id } }",
                json!({"i": {"name": email, "email": email, "password": "a long password", "groups": groups}}),
            )
            .await;
        self.client().login(email, "a long password").await
    }
}

/// What an engine opened in the test process is given: the theme's emails, document bytes
/// under the test's directory (`blobs` to choose another store).
pub fn engine_config(
    db: &TestDb,
    blobs: Option<std::sync::Arc<dyn portico_engine::documents::BlobStore>>,
) -> portico_engine::EngineConfig {
    portico_engine::EngineConfig {
        database_url: db.url.clone(),
        public_url: "http://127.0.0.1:8080".into(),
        portal_limits: Default::default(),
        blobs: blobs.unwrap_or_else(|| {
            std::sync::Arc::new(portico_engine::documents::LocalBlobStore::new(
                db.dir.0.join("files"),
            ))
        }),
        max_upload_bytes: 1 << 20,
        mail_renderer: std::sync::Arc::new(
            portico_server::mail::ThemeRenderer::new().expect("the theme's emails"),
        ),
        reply_domain: None,
        mail_gather: portico_engine::DEFAULT_MAIL_GATHER,
    }
}

/// An admin's handle on an engine opened in the test process: the first admin, signed in the
/// way any staff user is. (The engine offers nothing else: no handle without credentials.)
pub async fn admin_handle(
    engine: &std::sync::Arc<portico_engine::Engine>,
    maintenance: &portico_engine::Maintenance,
) -> portico_engine::StaffHandle {
    maintenance
        .bootstrap_admin(Some(ADMIN_EMAIL), Some(ADMIN_PASSWORD))
        .await
        .expect("admin");
    let session = engine
        .login(ADMIN_EMAIL, ADMIN_PASSWORD, None)
        .await
        .expect("login");
    engine
        .authenticate(&session.token)
        .await
        .expect("authenticate")
        .expect("a staff handle")
}

pub fn code(error: &Value) -> &str {
    error["extensions"]["code"].as_str().unwrap_or("<none>")
}

/// A staff `uploadDocument` of one file of `len` bytes to `case_id`, written by hand so that a
/// test can send it a piece at a time: the request line, headers and the body up to the file's
/// bytes, and the body's tail after them.
pub fn raw_upload(
    addr: std::net::SocketAddr,
    token: &str,
    case_id: &str,
    filename: &str,
    len: usize,
) -> (String, String) {
    let boundary = "portico-raw-upload";
    let query =
        "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id size } }";
    let operations = json!({"query": query, "variables": {"c": case_id, "file": null}});
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"0\": [\"variables.file\"]}}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    let total = head.len() + len + tail.len();
    (
        format!(
            "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nApollo-Require-Preflight: true\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {total}\r\n\r\n{head}"
        ),
        tail,
    )
}

/// Runs a command that must succeed; its standard output.
pub fn run_ok(mut cmd: Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
