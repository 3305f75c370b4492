//! Upload and download throughput for one large document, and what it costs the server in
//! memory: the upload streams through a temporary file into the blob store, the download
//! streams from it, so the server's peak memory must not grow with the file. Measured in one
//! run on the directory store and on an S3 bucket (Garage on loopback, started here).
//!
//! `cargo bench -p portico-tests --bench files`; `PORTICO_BENCH_FILE_MIB` (100) sets the size.

use serde_json::{Value, json};
use std::time::Instant;

mod common;
use common::garage::Garage;
use common::{peak_rss_mib, start_with};

#[tokio::main]
async fn main() {
    let mib: usize = std::env::var("PORTICO_BENCH_FILE_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    println!("\n{mib} MiB document, SQLite, release server on this machine\n");
    println!("| store | step | seconds | MiB/s | server peak RSS MiB |");
    println!("|---|---|---:|---:|---:|");
    measure(mib, "directory", &[]).await;
    let garage = Garage::start().await;
    let env = garage.env("bench");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    measure(mib, "S3 (Garage)", &env).await;
}

async fn measure(mib: usize, store: &str, extra: &[(&str, &str)]) {
    let dir = std::env::temp_dir().join(format!(
        "portico_files_bench_{}_{}",
        std::process::id(),
        store.len()
    ));
    std::fs::create_dir_all(&dir).expect("dir");
    let db = format!("sqlite://{}?mode=rwc", dir.join("portico.db").display());
    let mut env = vec![
        ("PORTICO_ADMIN_EMAIL", "admin@example.com"),
        ("PORTICO_ADMIN_PASSWORD", "benchmark password"),
        ("PORTICO_MAX_UPLOAD_BYTES", "4294967296"),
    ];
    env.extend_from_slice(extra);
    let server = start_with(&db, &dir, &env);
    let http = reqwest::Client::new();
    let graphql = format!("{}/graphql", server.url);
    let post = |body: Value, token: Option<String>| {
        let mut r = http.post(&graphql).json(&body);
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        async move {
            r.send()
                .await
                .expect("post")
                .json::<Value>()
                .await
                .expect("json")
        }
    };
    let login = post(json!({"query": "mutation { login(email: \"admin@example.com\", password: \"benchmark password\") { token } }"}), None).await;
    let token = login["data"]["login"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let case = post(
        json!({"query": "mutation { createCase(input: {subject: \"Big file\"}) { id } }"}),
        Some(token.clone()),
    )
    .await;
    let case_id = case["data"]["createCase"]["id"]
        .as_str()
        .expect("case")
        .to_owned();
    let baseline = peak_rss_mib(server.child.id());

    // Bytes that do not compress: a simple generator, the same every run.
    let size = mib * 1024 * 1024;
    let mut content = vec![0u8; size];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for chunk in content.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for (b, v) in chunk.iter_mut().zip(x.to_le_bytes()) {
            *b = v;
        }
    }
    let boundary = "portico-bench-boundary";
    let operations = json!({"query": "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id size } }", "variables": {"c": case_id, "file": null}});
    let mut body = Vec::with_capacity(size + 1024);
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n").as_bytes());
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"0\": [\"variables.file\"]}}\r\n").as_bytes());
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
    body.extend_from_slice(&content);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());

    let started = Instant::now();
    let res: Value = http
        .post(&graphql)
        .bearer_auth(&token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let upload = started.elapsed();
    let doc = res["data"]["uploadDocument"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("upload failed: {res}"))
        .to_owned();
    let after_upload = peak_rss_mib(server.child.id());

    let started = Instant::now();
    let mut res = http
        .get(format!("{}/files/{doc}", server.url))
        .bearer_auth(&token)
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), 200);
    let mut received = 0usize;
    let mut same = true;
    while let Some(chunk) = res.chunk().await.expect("chunk") {
        same &= content.get(received..received + chunk.len()) == Some(&chunk[..]);
        received += chunk.len();
    }
    let download = started.elapsed();
    assert_eq!(received, size);
    assert!(same, "the download differs from the upload");
    let after_download = peak_rss_mib(server.child.id());

    let rate = |d: std::time::Duration| mib as f64 / d.as_secs_f64();
    println!("| {store} | before (started, logged in) | | | {baseline:.1} |");
    println!(
        "| {store} | upload (multipart) | {:.2} | {:.0} | {after_upload:.1} |",
        upload.as_secs_f64(),
        rate(upload)
    );
    println!(
        "| {store} | download (GET /files) | {:.2} | {:.0} | {after_download:.1} |",
        download.as_secs_f64(),
        rate(download)
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
