//! What a browser gets from the server: GraphiQL works with no internet access (every file it
//! loads comes from this server and is the vendored file, byte for byte), its page has no
//! inline script, and every response carries the headers that make the browser refuse framing,
//! inline scripts and content sniffing.

use crate::helpers::spawn_app;
use std::collections::BTreeMap;

/// `server/assets/graphiql/SHA256SUMS`: vendored file name -> sha256 (hex).
fn vendored_sums() -> BTreeMap<String, String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../server/assets/graphiql/SHA256SUMS"
    );
    let text = std::fs::read_to_string(path).expect("read SHA256SUMS");
    let sums: BTreeMap<String, String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (sum, name) = l.split_once("  ").expect("a `sum  name` line");
            (name.to_owned(), sum.to_ascii_lowercase())
        })
        .collect();
    assert!(sums.len() >= 4, "SHA256SUMS lists too little: {sums:?}");
    sums
}

/// Every value of `attr="..."` in `html`.
fn attribute_values<'a>(html: &'a str, attr: &str) -> Vec<&'a str> {
    let needle = format!(" {attr}=\"");
    let mut values = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(&needle) {
        rest = &rest[at + needle.len()..];
        let end = rest.find('"').expect("a closing quote");
        values.push(&rest[..end]);
        rest = &rest[end..];
    }
    values
}

/// Every tag in `html`, from `<` to `>`.
fn tags(html: &str) -> Vec<&str> {
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start..];
        let end = rest.find('>').expect("a closing `>`");
        tags.push(&rest[..=end]);
        rest = &rest[end + 1..];
    }
    tags
}

fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn graphiql_is_served_whole_from_the_server_with_no_inline_script() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let sums = vendored_sums();
    let assets_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../server/assets/graphiql");
    for endpoint in ["/graphql", "/portal/graphql"] {
        let page = http
            .get(format!("{}{endpoint}", app.server.url))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200, "{endpoint}");
        assert!(
            content_type(&page).starts_with("text/html"),
            "{endpoint}: {}",
            content_type(&page)
        );
        let html = page.text().await.unwrap();
        assert!(html.contains("GraphiQL"), "{html}");
        assert!(
            html.contains(&format!(r#"id="graphiql" data-endpoint="{endpoint}""#)),
            "{html}"
        );

        // Nothing from another origin, nothing inline that a CSP without 'unsafe-inline' would
        // refuse: every script has a src, no event-handler attributes, no `javascript:` URL.
        assert!(!html.contains("http://"), "{html}");
        assert!(!html.contains("https://"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            !html.contains(" src='") && !html.contains(" href='"),
            "{html}"
        );
        let mut scripts = 0;
        for tag in tags(&html) {
            let lower = tag.to_ascii_lowercase();
            if lower.starts_with("<script") {
                scripts += 1;
                assert!(lower.contains(" src=\""), "inline script: {tag}");
            }
            assert!(!lower.starts_with("<style"), "inline style: {tag}");
            for attr in lower.split_whitespace().skip(1) {
                let Some((name, _)) = attr.split_once('=') else {
                    continue;
                };
                assert!(!name.starts_with("on"), "event handler: {tag}");
                assert_ne!(name, "style", "inline style: {tag}");
            }
        }
        assert!(scripts >= 4, "{html}");
        let scripts_end = html.matches("<script").count();
        assert_eq!(scripts_end, html.matches("</script>").count(), "{html}");

        // Every file the page names is served, with its type, and is the vendored file.
        let urls: Vec<&str> = attribute_values(&html, "src")
            .into_iter()
            .chain(attribute_values(&html, "href"))
            .collect();
        let mut checked = Vec::new();
        for url in urls {
            assert!(
                url.starts_with("/graphiql/"),
                "{url} is not a same-origin GraphiQL asset"
            );
            let name = url.rsplit('/').next().unwrap_or_default();
            let response = http
                .get(format!("{}{url}", app.server.url))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{url}");
            let kind = content_type(&response);
            let expected = match name.rsplit('.').next() {
                Some("js") => "text/javascript",
                Some("css") => "text/css",
                Some("txt") => "text/plain",
                other => panic!("{url}: unexpected kind of file {other:?}"),
            };
            assert!(kind.starts_with(expected), "{url}: {kind}");
            assert_eq!(
                response.headers()["cache-control"],
                "public, max-age=31536000, immutable",
                "{url}"
            );
            assert_eq!(
                response.headers()["x-content-type-options"],
                "nosniff",
                "{url}"
            );
            let body = response.bytes().await.unwrap();
            let on_disk = std::fs::read(format!("{assets_dir}/{name}")).expect(name);
            assert!(body[..] == on_disk[..], "{url} is not {name} of the repo");
            if let Some(sum) = sums.get(name) {
                assert_eq!(&sha256_hex(&body), sum, "{url}: sha256 is not SHA256SUMS's");
            }
            checked.push(name.to_owned());
        }
        for name in sums.keys() {
            assert!(
                checked.contains(name),
                "{endpoint}: the page does not load vendored {name}"
            );
        }
        for ours in ["init.js", "page.css"] {
            assert!(checked.iter().any(|c| c == ours), "{endpoint}: no {ours}");
        }
    }

    // Unknown names and stale tags are not found.
    for path in [
        "/graphiql/0000000000000000/graphiql.min.js",
        "/graphiql/0000000000000000/SHA256SUMS",
        "/graphiql/0000000000000000/..%2F..%2FCargo.toml",
        "/graphiql/x/refresh.sh",
    ] {
        let r = http
            .get(format!("{}{path}", app.server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let http = reqwest::Client::new();
    let base = &app.server.url;
    let page = http
        .get(format!("{base}/graphql"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    let asset = attribute_values(&html, "src")
        .first()
        .map(|s| s.to_string())
        .expect("a script");

    let requests = [
        (
            "GraphiQL",
            http.get(format!("{base}/graphql"))
                .header("accept", "text/html"),
            true,
        ),
        ("admin", http.get(format!("{base}/admin")), true),
        ("healthz", http.get(format!("{base}/healthz")), false),
        ("asset", http.get(format!("{base}{asset}")), false),
        (
            "GraphQL JSON",
            http.post(format!("{base}/graphql"))
                .header("content-type", "application/json")
                .body(r#"{"query":"{ __typename }"}"#),
            false,
        ),
        (
            "unknown route",
            http.get(format!("{base}/no/such/page")),
            false,
        ),
    ];
    for (what, request, is_page) in requests {
        let r = request.send().await.unwrap();
        let h = r.headers();
        let get = |name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("{what} ({}) lacks {name}", r.status()))
                .to_owned()
        };
        assert_eq!(get("x-frame-options"), "DENY", "{what}");
        assert_eq!(get("referrer-policy"), "same-origin", "{what}");
        assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
        let csp = get("content-security-policy");
        let directives: BTreeMap<&str, &str> = csp
            .split(';')
            .filter_map(|d| {
                let d = d.trim();
                let (name, value) = d.split_once(' ').unwrap_or((d, ""));
                (!name.is_empty()).then_some((name, value))
            })
            .collect();
        assert_eq!(
            directives.get("frame-ancestors"),
            Some(&"'none'"),
            "{what}: {csp}"
        );
        if is_page {
            assert!(
                content_type(&r).starts_with("text/html"),
                "{what}: {}",
                content_type(&r)
            );
            let script_src = directives
                .get("script-src")
                .unwrap_or_else(|| panic!("{what}: no script-src in {csp}"));
            assert_eq!(*script_src, "'self'", "{what}: {csp}");
            assert!(!script_src.contains("'unsafe-inline'"), "{what}: {csp}");
            assert_eq!(
                directives.get("object-src"),
                Some(&"'none'"),
                "{what}: {csp}"
            );
            assert_eq!(directives.get("base-uri"), Some(&"'none'"), "{what}: {csp}");
        } else {
            assert_eq!(
                directives.get("default-src"),
                Some(&"'none'"),
                "{what}: {csp}"
            );
            assert!(!directives.contains_key("script-src"), "{what}: {csp}");
        }
    }
}

/// SHA-256 (FIPS 180-4), small enough to read, so the test needs no hashing crate.
pub(crate) fn sha256_hex(data: &[u8]) -> String {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

#[test]
fn sha256_matches_the_standard_vectors() {
    assert_eq!(
        sha256_hex(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    assert_eq!(
        sha256_hex(b"abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        sha256_hex(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    );
    assert_eq!(
        sha256_hex(&[b'a'; 1000]),
        "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
    );
}
