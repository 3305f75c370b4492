//! Findings 2, 4 and 6 of the second security review, replayed as they were made: one stalled
//! 230 KB body from a portal user carrying thousands of file parts `map` does not name (the
//! process went from 33 to 3,034 open files and answered with `Too many open files (os error
//! 24)`), a Windows program named `invoice\u{202E}fdp.exe` and declared `application/pdf`
//! (stored as a PDF, shown as "invoiceexe.pdf"), and a second `operations` part after the
//! file, which the pre-authorization never saw.

use crate::portal::{PortalApp, portal_app};
use crate::portal_pages::a_client_with_a_case;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BOUNDARY: &str = "review-boundary-42";

fn part(body: &mut Vec<u8>, headers: &str, content: &[u8]) {
    body.extend_from_slice(format!("--{BOUNDARY}\r\n{headers}\r\n\r\n").as_bytes());
    body.extend_from_slice(content);
    body.extend_from_slice(b"\r\n");
}

fn operations(case: &str) -> Vec<u8> {
    json!({
        "query": "mutation($c: ID!, $f: Upload!) { uploadDocument(caseId: $c, file: $f) { id } }",
        "variables": {"c": case, "f": null}
    })
    .to_string()
    .into_bytes()
}

/// A body's start as the spec has it: `operations` (an upload to `case`), then a `map` naming
/// part `0`.
fn spec_start(case: &str) -> Vec<u8> {
    let mut body = Vec::new();
    part(
        &mut body,
        "Content-Disposition: form-data; name=\"operations\"",
        &operations(case),
    );
    part(
        &mut body,
        "Content-Disposition: form-data; name=\"map\"",
        br#"{"0": ["variables.f"]}"#,
    );
    body
}

fn file_part(body: &mut Vec<u8>, name: &str, filename: &str, content: &[u8]) {
    part(
        body,
        &format!(
            "Content-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: text/plain"
        ),
        content,
    );
}

fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .expect("the server's open files")
        .count()
}

/// Sends `body` (without its end if `stall`), keeping the connection open, and reads the
/// answer; meanwhile samples the server's open files, and gives the most seen.
async fn send(
    addr: SocketAddr,
    token: &str,
    body: &[u8],
    declared_length: usize,
    pid: u32,
) -> (String, usize) {
    let head = format!(
        "POST /portal/graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {declared_length}\r\nAccept: application/json\r\n\r\n"
    );
    let mut s = TcpStream::connect(addr).await.expect("connect");
    s.write_all(head.as_bytes()).await.expect("head");
    s.write_all(body).await.expect("body");
    let mut most = 0;
    let mut answer = Vec::new();
    let mut buf = vec![0; 8192];
    let deadline = Instant::now() + Duration::from_secs(10);
    while !answer.ends_with(b"}") {
        most = most.max(open_files(pid));
        assert!(
            Instant::now() < deadline,
            "no answer within 10 s: {}",
            String::from_utf8_lossy(&answer)
        );
        if let Ok(read) = tokio::time::timeout(Duration::from_millis(50), s.read(&mut buf)).await {
            match read {
                Ok(n) if n > 0 => answer.extend_from_slice(&buf[..n]),
                _ => break,
            }
        }
    }
    (String::from_utf8_lossy(&answer).into_owned(), most)
}

async fn client_docs(t: &PortalApp, case: &str) -> usize {
    t.manager
        .ok(
            "query($c: ID!) { case(id: $c) { documents { id } } }",
            json!({"c": case}),
        )
        .await["case"]["documents"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn file_parts_that_map_does_not_name_are_refused_before_spooling() {
    let t = portal_app().await;
    let (_, case) = a_client_with_a_case(&t).await;
    let carla = t.accept_mailed("carla@example.com", 1).await;
    let token = carla.token.clone().unwrap();
    let addr: SocketAddr = t
        .app
        .server
        .url
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let pid = t.app.server.pid();
    let before = open_files(pid);

    // The review's body: operations, a map naming one file, then 3,000 file parts it does not
    // name (about 230 KB), and then the client stops sending.
    let mut body = spec_start(&case);
    for i in 0..3000 {
        file_part(&mut body, &format!("x{i}"), "a.txt", b"x");
    }
    assert!(body.len() > 200_000, "{}", body.len());
    let (answer, most) = send(addr, &token, &body, body.len() + 1_000_000, pid).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains("part `x0` is not named in `map`"),
        "{answer}"
    );
    assert!(!answer.contains("os error"), "{answer}");
    assert!(
        most < before + 20,
        "open files went from {before} to {most} while the body stalled"
    );
    assert_eq!(client_docs(&t, &case).await, 0);

    // The named file after a part map does not name is not reached either: nothing stored.
    let mut body = spec_start(&case);
    file_part(&mut body, "1", "b.txt", b"not named");
    file_part(&mut body, "0", "a.txt", b"named");
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let (answer, _) = send(addr, &token, &body, body.len(), pid).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("part `1` is not named"), "{answer}");
    assert_eq!(client_docs(&t, &case).await, 0);

    // A file named twice is refused the second time.
    let mut body = spec_start(&case);
    file_part(&mut body, "0", "a.txt", b"named");
    file_part(&mut body, "0", "a.txt", b"again");
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let (answer, _) = send(addr, &token, &body, body.len(), pid).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert_eq!(client_docs(&t, &case).await, 0);

    // The honest request still works.
    let data = carla
        .upload(
            "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { name } }",
            json!({"c": case}),
            "receipt.txt",
            b"paid",
        )
        .await;
    assert_eq!(data["uploadDocument"]["name"], "receipt.txt");
    assert_eq!(client_docs(&t, &case).await, 1);
}

#[tokio::test]
async fn a_second_operations_part_cannot_redirect_an_upload() {
    let t = portal_app().await;
    let (_, case) = a_client_with_a_case(&t).await;
    let carla = t.accept_mailed("carla@example.com", 1).await;
    let token = carla.token.clone().unwrap();
    // A case Carla has no access to.
    let other = t.create_case(json!({"subject": "Someone else's"})).await;
    let addr: SocketAddr = t
        .app
        .server
        .url
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let pid = t.app.server.pid();

    // Authorized against her own case, then a second `operations` aimed at the other one.
    let mut body = spec_start(&case);
    file_part(&mut body, "0", "a.txt", b"payload");
    part(
        &mut body,
        "Content-Disposition: form-data; name=\"operations\"",
        &operations(&other),
    );
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let (answer, _) = send(addr, &token, &body, body.len(), pid).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("one `operations` part"), "{answer}");
    assert_eq!(client_docs(&t, &other).await, 0);
    assert_eq!(client_docs(&t, &case).await, 0);

    // `map` before `operations` is refused too: the order is the spec's.
    let mut body = Vec::new();
    part(
        &mut body,
        "Content-Disposition: form-data; name=\"map\"",
        br#"{"0": ["variables.f"]}"#,
    );
    part(
        &mut body,
        "Content-Disposition: form-data; name=\"operations\"",
        &operations(&other),
    );
    file_part(&mut body, "0", "a.txt", b"payload");
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    let (answer, _) = send(addr, &token, &body, body.len(), pid).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    let json_at = answer.find('{').unwrap();
    let err: Value = serde_json::from_str(&answer[json_at..]).unwrap();
    assert_eq!(err["errors"][0]["extensions"]["field"], "operations");
    assert_eq!(client_docs(&t, &other).await, 0);
}

#[tokio::test]
async fn a_right_to_left_override_cannot_dress_a_program_as_a_pdf() {
    let t = portal_app().await;
    let (_, case) = a_client_with_a_case(&t).await;
    let carla = t.accept_mailed("carla@example.com", 1).await;
    let upload =
        "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id name } }";
    let (status, body) = carla
        .upload_raw(
            upload,
            json!({"c": case}),
            "invoice\u{202E}fdp.exe",
            "application/pdf",
            b"MZ\x90\x00\x03\x00\x00\x00program",
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let doc = &body["data"]["uploadDocument"];
    // Shown as what it is: the override is gone, the real extension is last.
    assert_eq!(doc["name"], "invoicefdp.exe", "{body}");
    let staff_view = t
        .manager
        .ok(
            "query($c: ID!) { case(id: $c) { documents { id name contentType } } }",
            json!({"c": case}),
        )
        .await;
    let stored = &staff_view["case"]["documents"][0];
    assert_eq!(stored["name"], "invoicefdp.exe");
    assert_eq!(stored["contentType"], "application/octet-stream");
    let res = t
        .manager
        .get_file(&format!("/files/{}", stored["id"].as_str().unwrap()), None)
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.contains("invoicefdp.exe"), "{disposition}");
    assert!(!disposition.contains("%E2%80%AE"), "{disposition}");

    // With a document's extension after the override, it is refused outright.
    let (_, body) = carla
        .upload_raw(
            upload,
            json!({"c": case}),
            "invoice\u{202E}exe.pdf",
            "application/pdf",
            b"MZ\x90\x00\x03program",
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "VALIDATION",
        "{body}"
    );
    assert_eq!(body["errors"][0]["extensions"]["field"], "file");

    // A declared type the bytes contradict is not kept: words declared as a PDF.
    let (status, _) = carla
        .upload_raw(
            upload,
            json!({"c": case}),
            "notes",
            "application/pdf",
            b"just words",
        )
        .await;
    assert_eq!(status, 200);
    let staff_view = t
        .manager
        .ok(
            "query($c: ID!) { case(id: $c) { documents(search: \"notes\") { contentType } } }",
            json!({"c": case}),
        )
        .await;
    assert_eq!(
        staff_view["case"]["documents"][0]["contentType"],
        "application/octet-stream"
    );
}
