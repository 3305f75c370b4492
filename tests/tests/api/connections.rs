//! Finding 1 of the second security review, replayed as it was made: 1,100 sockets from one
//! address, each sending half a header line and then nothing, against a process with the
//! common 1,024 open-file limit. The health check must keep answering, the sockets must be
//! closed within the header timeout (they stayed open 40 s+), and honest clients (a slow
//! upload that keeps sending, a kept-alive connection) must not be touched.

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Client, Server, TestDb, portico};
use serde_json::json;
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Starts the server with its open-file limit set to `soft`/`hard` before it runs.
fn start_limited(db: &TestDb, soft: u64, hard: u64, env: &[(&str, &str)]) -> Server {
    let mut cmd = portico(&db.url, &db.dir.0);
    for (k, v) in env {
        cmd.env(k, v);
    }
    // SAFETY: setrlimit is async-signal-safe; nothing else runs between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let lim = libc::rlimit {
                rlim_cur: soft,
                rlim_max: hard,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Server::launch(cmd)
}

/// This test process opens more sockets than a default soft limit allows.
fn raise_own_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain calls on a struct we own.
    unsafe {
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        lim.rlim_cur = lim.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
    }
    assert!(
        lim.rlim_cur >= 4096,
        "the test needs an open-file hard limit of at least 4096 (ulimit -Hn)"
    );
}

/// A socket from `from` (another loopback address than the health check's) to the server.
async fn connect_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(format!("{from}:0").parse().expect("address"))
        .expect("bind a loopback address");
    socket.connect(to).await.expect("connect")
}

/// The soft open-file limit of process `pid`, from /proc.
fn open_file_limit(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("limits");
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("open files line");
    let parts: Vec<&str> = line.split_whitespace().collect();
    (parts[3].to_owned(), parts[4].to_owned())
}

async fn healthz_within(url: &str, within: Duration) {
    let http = reqwest::Client::new();
    let started = Instant::now();
    let res = tokio::time::timeout(within, http.get(format!("{url}/healthz")).send())
        .await
        .unwrap_or_else(|_| panic!("/healthz did not answer within {within:?}"))
        .expect("healthz");
    assert_eq!(res.status(), 200, "after {:?}", started.elapsed());
}

#[tokio::test]
async fn half_sent_headers_cannot_starve_the_server() {
    raise_own_limit();
    let db = TestDb::new().await;
    // 10 s, so that every socket is open before the first is timed out: this machine takes
    // three to six seconds for 1,100 connections when runs follow each other (5 s was too
    // tight and failed the test for the setup, not for the server).
    let server = start_limited(&db, 1024, 1024, &[("PORTICO_HEADER_TIMEOUT_SECS", "10")]);
    let addr = server.addr();
    let started = Instant::now();
    // The review's attack: 1,100 sockets from one address, each with half a header line.
    let mut sockets = Vec::new();
    for _ in 0..1100 {
        let mut s = connect_from("127.0.0.2", addr).await;
        // A refused socket may already be closed by the server: the write may fail.
        let _ = s
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
            .await;
        sockets.push(s);
    }
    let sent = Instant::now();
    assert!(
        sent - started < Duration::from_secs(8),
        "opening the sockets took {:?}",
        sent - started
    );
    // Meanwhile, from another address, the health check answers at once.
    healthz_within(&server.url, Duration::from_secs(2)).await;
    // Every attacking socket ends within the header timeout (plus slack), answered 503 where
    // no place was free or 408/closed when its time ran out.
    let mut busy = 0;
    let mut readers = Vec::new();
    for mut s in sockets {
        readers.push(tokio::spawn(async move {
            let mut buf = Vec::new();
            let read = tokio::time::timeout(Duration::from_secs(15), s.read_to_end(&mut buf)).await;
            (read.is_ok(), String::from_utf8_lossy(&buf).into_owned())
        }));
    }
    for r in readers {
        let (ended, answer) = r.await.expect("reader");
        assert!(ended, "a half-sent request was still open after 15 s");
        if answer.starts_with("HTTP/1.1 503") {
            busy += 1;
        }
    }
    let took = sent.elapsed();
    assert!(took < Duration::from_secs(14), "closing took {took:?}");
    // One address held at most its share; the rest were turned away, not left hanging.
    assert!(busy >= 1100 - 256, "only {busy} of 1,100 were refused");
    // And the server is still whole.
    healthz_within(&server.url, Duration::from_secs(2)).await;
    Client::new(&server.url)
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
}

#[tokio::test]
async fn the_open_file_limit_is_raised_to_the_hard_limit() {
    let db = TestDb::new().await;
    let server = start_limited(&db, 1024, 4096, &[]);
    assert_eq!(
        open_file_limit(server.pid()),
        ("4096".to_owned(), "4096".to_owned())
    );
}

/// A raw HTTP/1.1 POST of a GraphQL multipart upload whose body is sent in `pieces`,
/// `pause` apart; the status line of the answer.
async fn slow_upload(
    addr: SocketAddr,
    token: &str,
    case: &str,
    pieces: usize,
    pause: Duration,
    stall_after: Option<usize>,
) -> String {
    let boundary = "slow-boundary-1";
    let ops = json!({
        "query": "mutation($c: ID!, $f: Upload!) { uploadDocument(caseId: $c, file: $f) { id size } }",
        "variables": {"c": case, "f": null}
    });
    let piece = vec![b'x'; 64 * 1024];
    let mut head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{ops}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{\"0\": [\"variables.f\"]}}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"scan.txt\"\r\nContent-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    let tail = format!("\r\n--{boundary}--\r\n").into_bytes();
    let length = head.len() + pieces * piece.len() + tail.len();
    let request = format!(
        "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {length}\r\nAccept: application/json\r\n\r\n"
    );
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let mut first = request.into_bytes();
    first.append(&mut head);
    s.write_all(&first).await.expect("headers");
    for i in 0..pieces {
        if stall_after == Some(i) {
            break;
        }
        tokio::time::sleep(pause).await;
        if s.write_all(&piece).await.is_err() {
            break;
        }
    }
    if stall_after.is_none() {
        s.write_all(&tail).await.expect("tail");
    }
    // The answer, up to the end of its JSON body (the connection may stay open).
    let mut answer = Vec::new();
    let mut buf = vec![0; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    while !answer.ends_with(b"}") {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => answer.extend_from_slice(&buf[..n]),
            Ok(_) => break,
            Err(_) => panic!(
                "no whole answer within 10 s: {}",
                String::from_utf8_lossy(&answer)
            ),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn slow_honest_uploads_pass_and_stalled_bodies_are_cut() {
    let db = TestDb::new().await;
    let server = start_limited(
        &db,
        20_000,
        20_000,
        &[
            ("PORTICO_HEADER_TIMEOUT_SECS", "2"),
            ("PORTICO_BODY_IDLE_SECS", "2"),
        ],
    );
    let admin = Client::new(&server.url)
        .login(ADMIN_EMAIL, ADMIN_PASSWORD)
        .await;
    let case = admin
        .ok(
            "mutation { createCase(input: {subject: \"Slow\"}) { id } }",
            json!({}),
        )
        .await["createCase"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = admin.token.clone().unwrap();
    // 16 pieces of 64 KiB, one every 1.2 s: 19 s in all, far over both timeouts, never idle
    // for long. It is stored whole.
    let answer = slow_upload(
        server.addr(),
        &token,
        &case,
        16,
        Duration::from_millis(1200),
        None,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains(&format!("\"size\":{}", 16 * 64 * 1024)),
        "{answer}"
    );
    // The same upload stopping after 3 pieces is answered (not left hanging) once the body
    // has been idle for 2 s, and nothing is stored.
    let started = Instant::now();
    let answer = slow_upload(
        server.addr(),
        &token,
        &case,
        16,
        Duration::from_millis(200),
        Some(3),
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(6), "{answer}");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("sent nothing for 2 s"), "{answer}");
    let docs = admin
        .ok(
            "query($c: ID!) { case(id: $c) { documents { id } } }",
            json!({"c": case}),
        )
        .await;
    assert_eq!(docs["case"]["documents"].as_array().unwrap().len(), 1);

    // A JSON request whose body stalls is told so (not that it was too large).
    let mut s = TcpStream::connect(server.addr()).await.expect("connect");
    s.write_all(
        format!(
            "POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: 100\r\n\r\n{{\"query\":"
        )
        .as_bytes(),
    )
    .await
    .expect("write");
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(6), s.read_to_end(&mut answer)).await;
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("sent nothing for 2 s"), "{answer}");

    // A kept-alive connection serves request after request, with pauses under the timeout.
    let mut s = TcpStream::connect(server.addr()).await.expect("connect");
    for _ in 0..3 {
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .expect("write");
        let mut buf = vec![0; 1024];
        let n = s.read(&mut buf).await.expect("read");
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    // Left idle past the timeout, it is closed.
    let mut buf = vec![0; 16];
    let n = tokio::time::timeout(Duration::from_secs(4), s.read(&mut buf))
        .await
        .expect("closed within the header timeout")
        .unwrap_or(0);
    assert_eq!(n, 0);
}
