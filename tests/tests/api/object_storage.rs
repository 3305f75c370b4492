//! Documents in an S3-compatible bucket, on a real one (Garage, started by each test): the
//! store keeps the directory store's rules; two processes on one database share one bucket
//! with no shared disk; a process killed while an upload is on its way leaves no document and
//! no visible object; the copy command moves blobs into a bucket and back, resuming.

use crate::garage::{Garage, REGION};
use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Client, Server, TempDir, TestDb, portico, raw_upload,
};
use crate::portal::id;
use futures_util::TryStreamExt;
use portico_engine::EngineError;
use portico_engine::documents::BlobStore;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const UPLOAD: &str =
    "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id size } }";
const MIB: usize = 1024 * 1024;

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A PDF-looking file of `len` bytes that differ all the way (xorshift), like a real scan.
fn scan(len: usize, seed: u64) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

async fn read_all(
    store: &dyn BlobStore,
    hash: &str,
    range: Option<std::ops::Range<u64>>,
) -> Vec<u8> {
    let mut out = Vec::new();
    store
        .open(hash, range)
        .await
        .expect("open the blob")
        .read_to_end(&mut out)
        .await
        .expect("read the blob");
    out
}

/// Every key in the bucket, whatever its prefix (temporary objects included).
async fn keys(garage: &Garage) -> Vec<String> {
    use object_store::ObjectStore;
    let raw = object_store::aws::AmazonS3Builder::new()
        .with_endpoint(&garage.endpoint)
        .with_allow_http(true)
        .with_region(REGION)
        .with_bucket_name(&garage.bucket)
        .with_access_key_id(&garage.key_id)
        .with_secret_access_key(&garage.secret)
        .build()
        .expect("a raw S3 client");
    let mut keys: Vec<String> = raw
        .list(None)
        .map_ok(|m| m.location.to_string())
        .try_collect()
        .await
        .expect("list the bucket");
    keys.sort();
    keys
}

fn blob_key(prefix: &str, hash: &str) -> String {
    format!("{prefix}/{}/{}", &hash[..2], &hash[2..])
}

#[tokio::test]
async fn a_bucket_keeps_the_rules_of_the_directory_store() {
    let garage = Garage::start().await;
    let store = garage.store("docs");
    let ok = |_: &[u8]| Ok(());

    // A short file: one PUT under its hash; whole and ranged reads.
    let small = store.put(&mut &b"hello"[..], 100, &ok).await.unwrap();
    assert_eq!(small.hash, sha(b"hello"));
    assert_eq!(read_all(&store, &small.hash, None).await, b"hello");
    assert_eq!(read_all(&store, &small.hash, Some(1..4)).await, b"ell");

    // A file longer than a part: a multipart upload, then its name.
    let long = scan(12 * MIB + 7, 1);
    let blob = store.put(&mut &long[..], u64::MAX, &ok).await.unwrap();
    assert_eq!(blob.hash, sha(&long));
    assert_eq!(blob.size, long.len() as u64);
    assert_eq!(blob.head, long[..512]);
    assert!(read_all(&store, &blob.hash, None).await == long);
    let across = (5 * MIB - 10) as u64..(5 * MIB + 10) as u64;
    assert!(
        read_all(&store, &blob.hash, Some(across.clone())).await
            == long[across.start as usize..across.end as usize]
    );
    // The same bytes again are the same blob.
    assert_eq!(
        store.put(&mut &long[..], u64::MAX, &ok).await.unwrap(),
        blob
    );
    let mut expected = vec![blob_key("docs", &small.hash), blob_key("docs", &blob.hash)];
    expected.sort();
    assert_eq!(
        keys(&garage).await,
        expected,
        "two blobs, no temporary object"
    );
    let mut names = store.names().await.unwrap();
    names.sort();
    let mut want = vec![small.hash.clone(), blob.hash.clone()];
    want.sort();
    assert_eq!(names, want);

    // Over the limit after the multipart upload began, and refused by the sniff: nothing kept.
    let e = store
        .put(&mut &scan(8 * MIB, 2)[..], 7 * MIB as u64, &ok)
        .await
        .unwrap_err();
    assert!(matches!(e, EngineError::Validation { .. }), "{e:?}");
    let refuse = |_: &[u8]| Err(EngineError::validation("file", "not this kind"));
    assert!(
        store
            .put(&mut &scan(6 * MIB, 3)[..], u64::MAX, &refuse)
            .await
            .is_err()
    );
    assert!(store.put(&mut &b"tiny"[..], 100, &refuse).await.is_err());
    assert_eq!(
        keys(&garage).await,
        expected,
        "refused uploads leave nothing"
    );

    // Another prefix is another store; a bad name is never looked up.
    assert!(garage.store("other").names().await.unwrap().is_empty());
    assert!(store.open("../docs/secret", None).await.is_err());

    // Just written: kept through the grace period; without one, removed.
    assert!(!store.remove(&small.hash).await.unwrap());
    let eager = garage.store("docs").with_grace(Duration::ZERO);
    assert!(eager.remove(&small.hash).await.unwrap());
    assert!(store.open(&small.hash, None).await.is_err());
    assert!(!eager.remove(&small.hash).await.unwrap());
    assert_eq!(store.names().await.unwrap(), vec![blob.hash.clone()]);
    assert!(store.ready().await.is_ok());
}

#[tokio::test]
async fn unused_bytes_in_a_bucket_are_collected_and_used_ones_kept() {
    let garage = Garage::start().await;
    let store = Arc::new(garage.store("sweep").with_grace(Duration::ZERO));
    crate::documents::sweep_removes_only_unused_bytes(store).await;
}

fn env_of<'a>(pairs: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    pairs.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn new_case(admin: &Client) -> String {
    id(&admin
        .ok(
            "mutation { createCase(input: {subject: \"Scans\"}) { id } }",
            json!({}),
        )
        .await["createCase"])
}

#[tokio::test]
async fn a_document_uploaded_through_one_process_downloads_through_the_other() {
    let garage = Garage::start().await;
    let db = TestDb::new().await;
    let env = garage.env("shared");
    // Each process has a data directory of its own: the bucket is all they share (and the
    // database).
    let (dir_a, dir_b) = (TempDir::new(), TempDir::new());
    let a = Server::start_in(&db.url, &dir_a.0, &env_of(&env));
    let b = Server::start_in(&db.url, &dir_b.0, &env_of(&env));
    let admin_a = Client::new(&a.url).login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let admin_b = Client::new(&b.url).login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let case_id = new_case(&admin_a).await;

    let letter = b"%PDF-1.7\nA short letter\n".to_vec();
    let long = scan(11 * MIB + 3, 4);
    let mut uploaded = Vec::new();
    for (name, bytes) in [("letter.pdf", &letter), ("scan.pdf", &long)] {
        let up = admin_a
            .upload(UPLOAD, json!({"c": case_id}), name, bytes)
            .await["uploadDocument"]
            .clone();
        assert_eq!(up["size"], bytes.len() as f64);
        uploaded.push((id(&up), bytes.clone()));
    }
    for (doc, bytes) in &uploaded {
        let res = admin_b.get_file(&format!("/files/{doc}"), None).await;
        assert_eq!(res.status(), 200);
        assert!(res.bytes().await.unwrap().as_ref() == bytes.as_slice());
    }
    // Ranges pass through to the bucket: one inside the letter, one across a part boundary.
    let res = admin_b
        .get_file(&format!("/files/{}", uploaded[0].0), Some("bytes=10-16"))
        .await;
    assert_eq!(res.status(), 206);
    assert_eq!(res.bytes().await.unwrap().as_ref(), &letter[10..=16]);
    let (start, end) = (5 * MIB - 3, 5 * MIB + 3);
    let res = admin_b
        .get_file(
            &format!("/files/{}", uploaded[1].0),
            Some(&format!("bytes={start}-{end}")),
        )
        .await;
    assert_eq!(res.status(), 206);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes {start}-{end}/{}", long.len()).as_str()
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), &long[start..=end]);

    let mut expected = vec![
        blob_key("shared", &sha(&letter)),
        blob_key("shared", &sha(&long)),
    ];
    expected.sort();
    assert_eq!(keys(&garage).await, expected);
    for dir in [&dir_a, &dir_b] {
        assert!(
            !dir.0.join("files").exists(),
            "nothing is written to a process's own disk"
        );
    }
}

/// Bytes the Garage server has written to its data directory.
fn stored_bytes(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => stored_bytes(&e.path()),
            _ => e.metadata().map(|m| m.len()).unwrap_or(0),
        })
        .sum()
}

/// Sends an upload of `len` bytes over a raw connection, as fast as it is read; the server may
/// die at any point.
fn send_upload(addr: std::net::SocketAddr, token: String, case_id: String, len: usize) {
    tokio::spawn(async move {
        let Ok(mut conn) = tokio::net::TcpStream::connect(addr).await else {
            return;
        };
        let (request, tail) = raw_upload(addr, &token, &case_id, "big.pdf", len);
        if conn.write_all(request.as_bytes()).await.is_err() {
            return;
        }
        let chunk = scan(MIB, 9);
        let mut sent = 0;
        while sent < len {
            let n = (len - sent).min(chunk.len());
            if conn.write_all(&chunk[..n]).await.is_err() {
                return;
            }
            sent += n;
        }
        let _ = conn.write_all(tail.as_bytes()).await;
        let mut answer = Vec::new();
        let _ = conn.read_to_end(&mut answer).await;
    });
}

#[tokio::test]
async fn a_process_killed_while_storing_an_upload_leaves_no_document_and_no_object() {
    let garage = Garage::start().await;
    let db = TestDb::new().await;
    let env = garage.env("killed");
    let mut a = Server::start_in(&db.url, &db.dir.0, &env_of(&env));
    let admin = Client::new(&a.url).login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let case_id = new_case(&admin).await;
    let token = admin.token.clone().expect("a staff token");

    // Killed once the bucket has begun receiving the file's parts (the request was read whole
    // and the bytes are on their way to the bucket).
    let before = stored_bytes(&garage.data_dir());
    send_upload(a.addr(), token, case_id.clone(), 256 * MIB);
    let started = Instant::now();
    while stored_bytes(&garage.data_dir()) <= before {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the upload never reached the bucket"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    a.kill();

    // Another process on the same database and bucket: no document, nothing visible.
    let b = Server::start_in(&db.url, &db.dir.0, &env_of(&env));
    let admin = Client::new(&b.url).login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let docs = admin
        .ok(
            "query($id: ID!) { case(id: $id) { documents { id } } }",
            json!({"id": case_id}),
        )
        .await;
    assert_eq!(docs["case"]["documents"], json!([]));
    assert_eq!(keys(&garage).await, Vec::<String>::new());
    // And the bucket still takes the next upload.
    let up = admin
        .upload(
            UPLOAD,
            json!({"c": case_id}),
            "after.pdf",
            &scan(6 * MIB, 5),
        )
        .await;
    assert_eq!(up["uploadDocument"]["size"], (6 * MIB) as f64);
}

/// `portico blobs copy FROM TO`: its stdout, failing the test when it fails.
fn copy(db: &TestDb, garage: &Garage, from: &str, to: &str) -> String {
    let mut cmd = portico(&db.url, &db.dir.0);
    let out = cmd
        .envs(garage.access_env())
        .args(["blobs", "copy", from, to])
        .output()
        .expect("run portico blobs copy");
    assert!(
        out.status.success(),
        "blobs copy failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test]
async fn the_copy_command_moves_blobs_into_a_bucket_and_back_resuming_where_it_stopped() {
    let garage = Garage::start().await;
    let db = TestDb::new().await;
    let files = db.dir.0.join("files");
    let contents = [
        b"%PDF-1.7\nfirst\n".to_vec(),
        b"%PDF-1.7\nsecond\n".to_vec(),
        scan(6 * MIB, 6),
    ];
    let mut docs = Vec::new();
    {
        let server = Server::start(&db, &[]);
        let admin = Client::new(&server.url)
            .login(ADMIN_EMAIL, ADMIN_PASSWORD)
            .await;
        let case_id = new_case(&admin).await;
        for (i, bytes) in contents.iter().enumerate() {
            let up = admin
                .upload(UPLOAD, json!({"c": case_id}), &format!("d{i}.pdf"), bytes)
                .await;
            docs.push(id(&up["uploadDocument"]));
        }
    }
    let dir = files.display().to_string();
    let bucket = garage.url("moved");
    let out = copy(&db, &garage, &dir, &bucket);
    assert!(
        out.contains("copied 3 blobs") && out.contains("(0 were already there)"),
        "{out}"
    );

    // As if interrupted: one blob missing from the bucket. Running again copies just it.
    let eager = garage.store("moved").with_grace(Duration::ZERO);
    assert!(eager.remove(&sha(&contents[1])).await.unwrap());
    let out = copy(&db, &garage, &dir, &bucket);
    assert!(
        out.contains("copied 1 blobs") && out.contains("(2 were already there)"),
        "{out}"
    );

    // Served from the bucket alone: the directory is gone.
    std::fs::rename(&files, db.dir.0.join("files.old")).unwrap();
    let env = garage.env("moved");
    let server = Server::start(&db, &env_of(&env));
    let admin = Client::new(&server.url)
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    for (doc, bytes) in docs.iter().zip(&contents) {
        let res = admin.get_file(&format!("/files/{doc}"), None).await;
        assert_eq!(res.status(), 200);
        assert!(res.bytes().await.unwrap().as_ref() == bytes.as_slice());
    }
    drop(server);

    // And back into a new directory, name for name.
    let back = db.dir.0.join("files.back");
    let out = copy(&db, &garage, &bucket, &back.display().to_string());
    assert!(out.contains("copied 3 blobs"), "{out}");
    for bytes in &contents {
        let h = sha(bytes);
        let on_disk = std::fs::read(back.join(&h[..2]).join(&h[2..])).unwrap();
        assert!(on_disk == *bytes);
    }
    // A store copied onto itself is refused.
    let mut same = portico(&db.url, &db.dir.0);
    let out = same
        .args(["blobs", "copy", &bucket, &bucket])
        .envs(garage.access_env())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("the same store"));
}

#[tokio::test]
async fn readiness_names_the_bucket_when_it_cannot_be_reached() {
    let mut garage = Garage::start().await;
    let db = TestDb::new().await;
    let env = garage.env("ready");
    let server = Server::start(&db, &env_of(&env));
    let http = reqwest::Client::new();
    let ready = |http: reqwest::Client, url: String| async move {
        let res = http.get(format!("{url}/readyz")).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap_or_default())
    };
    assert_eq!(ready(http.clone(), server.url.clone()).await.0, 200);
    garage.stop();
    let (status, body) = ready(http.clone(), server.url.clone()).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("storage"), "{body}");
    assert_eq!(
        http.get(format!("{}/healthz", server.url))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}
