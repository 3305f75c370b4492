//! A real browser for the web UI tests: Debian's `chromium`, driven through `chromedriver` over
//! the W3C WebDriver protocol.
//!
//! The protocol is a handful of JSON requests, so this speaks it with the HTTP client the tests
//! already use rather than adding a WebDriver crate (and its own HTTP stack) to the build. Each
//! test starts its own chromedriver on a free loopback port and ends it when done. A missing
//! browser fails the test with how to install it; it never skips.

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The outermost elements that reach past the viewport's right edge, when the page scrolls
/// sideways.
const OVERFLOW: &str = "const w = document.documentElement.clientWidth; \
if (document.documentElement.scrollWidth <= w) return []; \
return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1 \
&& e.parentElement.getBoundingClientRect().right <= w + 1) \
.slice(0, 8).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');";

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    http: reqwest::Client,
    /// `http://127.0.0.1:<port>/session/<id>`
    session: String,
    driver: Child,
    /// Where the browser saves what it downloads.
    downloads: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    /// Starts chromedriver and a headless chromium with JavaScript on or off.
    pub async fn start(javascript: bool) -> Browser {
        for (bin, package) in [
            ("/usr/bin/chromium", "chromium"),
            ("/usr/bin/chromedriver", "chromium-driver"),
        ] {
            assert!(
                std::path::Path::new(bin).exists(),
                "{bin} is missing: install it with `apt-get install -y chromium chromium-driver` (.ci/run does) — package {package}"
            );
        }
        let port = free_port();
        let driver = Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let downloads = std::env::temp_dir().join(format!("portico-downloads-{port}"));
        let _ = std::fs::remove_dir_all(&downloads);
        std::fs::create_dir_all(&downloads).expect("a download folder");
        // A Spanish-speaking client (the portal's default language), with or without scripts;
        // downloads land in a folder of this test's own.
        let mut prefs = json!({
            "intl.accept_languages": "es-ES,es",
            "download.default_directory": downloads,
            "download.prompt_for_download": false,
        });
        if !javascript {
            prefs["profile.managed_default_content_settings.javascript"] = json!(2);
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,900", "--lang=es", "--no-first-run", "--disable-extensions"],
                "prefs": prefs,
            }
        }}});
        let res: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .expect("chromedriver answers")
            .json()
            .await
            .unwrap();
        let id = res["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {res}"))
            .to_owned();
        Browser {
            http,
            session: format!("{base}/session/{id}"),
            driver,
            downloads,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        match self.try_call(method, path, body).await {
            Ok(v) => v,
            Err((e, message)) => panic!("webdriver {path}: {e} {message}"),
        }
    }

    /// The call's value, or WebDriver's error code and message.
    async fn try_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, (String, String)> {
        let mut req = self.http.request(method, format!("{}{path}", self.session));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res: Value = req.send().await.expect("webdriver").json().await.unwrap();
        if let Some(e) = res["value"].get("error") {
            return Err((e.to_string(), res["value"]["message"].to_string()));
        }
        Ok(res["value"].clone())
    }

    pub async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url})))
            .await;
    }

    /// The browser's reload button.
    pub async fn refresh(&self) {
        self.call(reqwest::Method::POST, "/refresh", Some(json!({})))
            .await;
    }

    pub async fn url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits (up to 10 s) for the page to contain `text`, as after a click that submits a
    /// form: the click may answer before the next page has loaded. Answers the page.
    pub async fn wait_for(&self, text: &str) -> String {
        let mut page = String::new();
        for _ in 0..100 {
            page = self.source().await;
            if page.contains(text) {
                return page;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the page never showed {text:?}; at {}: {page}",
            self.url().await
        )
    }

    /// The element `css`, waiting (up to 5 s) for it to appear, as a person waits for a
    /// screen to finish loading: a screen may show its heading before the data its form
    /// needs has arrived (and re-render once more when it has).
    async fn find(&self, css: &str) -> String {
        let query = json!({"using": "css selector", "value": css});
        let mut last = String::new();
        for _ in 0..50 {
            match self
                .try_call(reqwest::Method::POST, "/element", Some(query.clone()))
                .await
            {
                Ok(v) => {
                    return v[ELEMENT]
                        .as_str()
                        .unwrap_or_else(|| panic!("no element {css}: {v}"))
                        .to_owned();
                }
                Err((e, m)) if e.contains("no such element") => {
                    last = m;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err((e, m)) => panic!("webdriver /element {css}: {e} {m}"),
            }
        }
        panic!("no element {css} after 5 s: {last}")
    }

    /// Replaces what the input `css` holds with `text`, by keyboard as a person does (select
    /// all, delete, type): WebDriver's own "clear" fires no `input` event, so a script that
    /// keeps the field's value (a controlled input) would put the old text back.
    pub async fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": format!("\u{E009}a\u{E000}\u{E003}{text}")})),
        )
        .await;
    }

    /// Sends keys (WebDriver key codes too, as `\u{E00C}` for Escape) to the element `css`.
    pub async fn type_keys(&self, css: &str, keys: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": keys})),
        )
        .await;
    }

    /// Chooses files in a file input, as a person picking them in the file dialog.
    pub async fn choose_files(&self, css: &str, paths: &[PathBuf]) {
        let id = self.find(css).await;
        let text = paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join("\n");
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({"text": text})),
        )
        .await;
    }

    /// Waits (up to 10 s) for the input `css` to hold `value` (what a person sees in it, which
    /// a script may have set without any attribute changing).
    pub async fn wait_for_value(&self, css: &str, value: &str) {
        let mut seen = String::new();
        for _ in 0..100 {
            let id = self.find(css).await;
            seen = self
                .call(
                    reqwest::Method::GET,
                    &format!("/element/{id}/property/value"),
                    None,
                )
                .await
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if seen == value {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} holds {seen:?}, never {value:?}")
    }

    /// The value of the browser's cookie `name` (HttpOnly ones too: WebDriver sees them all).
    pub async fn cookie(&self, name: &str) -> String {
        let c = self
            .call(reqwest::Method::GET, &format!("/cookie/{name}"), None)
            .await;
        c["value"].as_str().unwrap_or_default().to_owned()
    }

    /// Picks the option with `value` in the select `css`.
    pub async fn select(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value='{value}']")).await;
    }

    /// Waits (up to 10 s) for the browser to have saved `name`; answers its bytes. Chromium
    /// puts an empty file under the final name before the bytes arrive (a loaded machine read
    /// it empty), so the download counts as saved once it has bytes and nothing is still
    /// `.crdownload`.
    pub async fn downloaded(&self, name: &str) -> Vec<u8> {
        let path = self.downloads.join(name);
        for _ in 0..100 {
            let in_progress = std::fs::read_dir(&self.downloads).is_ok_and(|d| {
                d.filter_map(|e| e.ok())
                    .any(|e| e.file_name().to_string_lossy().ends_with(".crdownload"))
            });
            if let Ok(bytes) = std::fs::read(&path)
                && !bytes.is_empty()
                && !in_progress
            {
                return bytes;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let saved: Vec<_> = std::fs::read_dir(&self.downloads)
            .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
            .unwrap_or_default();
        panic!("the browser never saved {name}; the download folder holds {saved:?}")
    }

    /// Waits (up to 10 s) for the address to contain `part`, as after a form that navigates:
    /// the old page's text may already match what the new one will show.
    pub async fn wait_for_url(&self, part: &str) -> String {
        let mut url = String::new();
        for _ in 0..100 {
            url = self.url().await;
            if url.contains(part) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the address never held {part:?}: {url}")
    }

    /// Runs `script` in the page (a function body; `return` answers).
    pub async fn run(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": script, "args": []})),
        )
        .await
    }

    /// Waits (up to 10 s) for `script` to answer `true`, as for a change no text marks.
    pub async fn wait_until(&self, script: &str) {
        for _ in 0..100 {
            if self.run(script).await == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "never true: {script}; at {}: {}",
            self.url().await,
            self.source().await
        )
    }

    /// Clicks `css`, waiting (up to 2 s) while a re-render has it briefly replaced or covered,
    /// as a person would wait for the page to settle.
    pub async fn click(&self, css: &str) {
        let mut last = None;
        for _ in 0..20 {
            let id = self.find(css).await;
            match self
                .try_call(
                    reqwest::Method::POST,
                    &format!("/element/{id}/click"),
                    Some(json!({})),
                )
                .await
            {
                Ok(_) => return,
                Err((e, m))
                    if e.contains("not interactable")
                        || e.contains("stale element")
                        || e.contains("click intercepted") =>
                {
                    last = Some(format!("{e} {m}"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err((e, m)) => panic!("webdriver click {css}: {e} {m}"),
            }
        }
        panic!("never clickable: {css}: {last:?}")
    }

    pub async fn resize(&self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            Some(json!({"width": width, "height": height})),
        )
        .await;
    }

    /// Saves the page at desktop and phone width under `docs/screenshots/<name>-{desktop,phone}.png`.
    pub async fn screenshots(&self, name: &str) {
        for (suffix, w, h) in [("desktop", 1280, 900), ("phone", 375, 812)] {
            self.resize(w, h).await;
            // The page as it opens, even when the address points further down (#documents).
            self.call(
                reqwest::Method::POST,
                "/execute/sync",
                Some(json!({"script": "window.scrollTo(0, 0); return null;", "args": []})),
            )
            .await;
            self.save_screenshot("/screenshot", &format!("{name}-{suffix}"))
                .await;
        }
        // The narrowest phones: nothing may stick out sideways.
        self.resize(320, 700).await;
        let wide = self
            .call(
                reqwest::Method::POST,
                "/execute/sync",
                Some(json!({"script": OVERFLOW, "args": []})),
            )
            .await;
        assert_eq!(wide, json!([]), "{name} is wider than a 320 px screen");
        self.resize(1280, 900).await;
    }

    /// Saves one element (a form far down a long page) as it shows at desktop width, under
    /// `docs/screenshots/<name>.png`.
    pub async fn element_screenshot(&self, css: &str, name: &str) {
        self.resize(1280, 900).await;
        // From its top: a part below the fold would be cut at the window's edge.
        let selector = serde_json::to_string(css).unwrap_or_default();
        self.run(&format!(
            "document.querySelector({selector}).scrollIntoView({{block: 'start'}}); return null;"
        ))
        .await;
        let id = self.find(css).await;
        self.save_screenshot(&format!("/element/{id}/screenshot"), name)
            .await;
    }

    /// Takes the screenshot WebDriver's `path` answers and writes it to
    /// `docs/screenshots/<name>.png`.
    async fn save_screenshot(&self, path: &str, name: &str) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let png = self.call(reqwest::Method::GET, path, None).await;
        let bytes = base64(png.as_str().unwrap_or_default());
        std::fs::write(dir.join(format!("{name}.png")), bytes).unwrap();
    }

    /// What every photographed page goes through: no serious or critical axe-core violation,
    /// then the screenshots (`name` is the file name's stem, `admin-cases`, `portal-home`).
    pub async fn check(&self, name: &str) {
        let violations = self.axe().await;
        assert!(violations.is_empty(), "{name}: {violations:?}");
        self.screenshots(name).await;
    }

    /// Runs axe-core on the page; answers the serious and critical violations.
    pub async fn axe(&self) -> Vec<String> {
        crate::graphql_http::ensure_packages();
        let axe = std::fs::read_to_string(
            crate::graphql_http::js_dir().join("node_modules/axe-core/axe.min.js"),
        )
        .expect("axe-core");
        let script = format!(
            "{axe}\nconst done = arguments[arguments.length - 1];\naxe.run(document, {{resultTypes: ['violations']}}).then(r => done(r.violations.map(v => ({{id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}})))).catch(e => done([{{id: 'axe-error', impact: 'critical', nodes: [String(e)]}}]));"
        );
        let found = self
            .call(
                reqwest::Method::POST,
                "/execute/async",
                Some(json!({"script": script, "args": []})),
            )
            .await;
        found
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| v.to_string())
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The session ends first, so that chromedriver closes the browser: killing chromedriver
        // alone leaves Chromium running, and a test run would leave dozens behind.
        end_session(&self.session);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.downloads);
    }
}

/// `DELETE <session>` over a plain socket (a destructor cannot await).
fn end_session(session: &str) {
    use std::io::{Read, Write};
    let Some(rest) = session.strip_prefix("http://") else {
        return;
    };
    let Some((host, path)) = rest.split_once('/') else {
        return;
    };
    let Ok(mut stream) = std::net::TcpStream::connect(host) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!("DELETE /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_ok() {
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
    }
}

/// Standard base64 (as WebDriver sends screenshots).
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter_map(value) {
        acc = (acc << 6) | c;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

#[test]
fn base64_decodes_what_webdriver_sends() {
    assert_eq!(base64("aGVsbG8="), b"hello");
    assert_eq!(base64("UE5H"), b"PNG");
}
