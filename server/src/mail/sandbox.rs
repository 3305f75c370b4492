//! An admin's email template rendered in a child process whose memory, CPU time, output and
//! wall-clock time are bounded by the kernel and by this parent, not guessed from its text.
//!
//! A second security review found every textual limit bypassed: loops counted inside comments,
//! a string doubled 28 times with `set_global` (the process went from 64 MB to 736 MB), two
//! previews stalling `/healthz` for 12 s, a saved template that misbehaved only on real data
//! hanging the mail worker 8 s. Tera has no fuel or memory budget, so the render happens in
//! `portico render-email`, a copy of this binary started with `setrlimit` bounds
//! ([`MEMORY_BYTES`] of address space, [`CPU_SECONDS`] of CPU, no files to write) and killed
//! at [`DEADLINE`]. Whatever the template does, the server loses at most one short-lived
//! process. The built-in templates are ours and render in-process.
//!
//! The child reads one JSON request on standard input, names each part on standard error
//! before rendering it (so a killed render still says which part broke), and writes one JSON
//! answer on standard output.

use portico_engine::mail::EmailKind;
use portico_theme::email::{EmailOverride, EmailTemplates, Language, ThemeError};
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The argument that makes the binary a renderer instead of a server.
pub const CHILD_COMMAND: &str = "render-email";

/// Address space for the child: the binary and Tera need about 40 MiB; a template that builds
/// strings past this fails there, not in the server.
pub const MEMORY_BYTES: u64 = 256 * 1024 * 1024;
/// CPU time before the kernel stops the child (SIGXCPU).
pub const CPU_SECONDS: u64 = 2;
/// Wall-clock time before the parent kills the child (a render that sleeps or is starved).
pub const DEADLINE: Duration = Duration::from_secs(3);
/// The most the child may answer: three parts at their cap, JSON-escaped.
const MAX_ANSWER: usize = 8 * portico_theme::email::MAX_PART_BYTES;
/// The most the child reads: three sources of at most 64 KiB and the email's context.
const MAX_REQUEST: usize = 1024 * 1024;

#[derive(Serialize, Deserialize)]
struct Request {
    kind: String,
    language: String,
    context: serde_json::Value,
    subject: String,
    html: String,
    text: String,
}

#[derive(Serialize, Deserialize)]
enum Answer {
    Rendered {
        subject: String,
        html: String,
        text: String,
    },
    Failed {
        part: String,
        message: String,
    },
}

/// What a sandboxed render gives: the three parts, or the part that failed and why.
pub type Rendered = Result<(String, String, String), (String, String)>;

/// Renders an admin's version of `kind` in a bounded child process.
pub fn render(
    kind: EmailKind,
    language: Language,
    context: &serde_json::Value,
    custom: &EmailOverride,
) -> Rendered {
    let request = Request {
        kind: kind.key().to_owned(),
        language: language.code().to_owned(),
        context: context.clone(),
        subject: custom.subject.clone(),
        html: custom.html.clone(),
        text: custom.text.clone(),
    };
    let input = serde_json::to_vec(&request).map_err(|e| ("templates".into(), e.to_string()))?;
    run_child(&input)
}

fn unavailable(e: impl std::fmt::Display) -> (String, String) {
    tracing::error!(error = %e, "the email renderer could not be started");
    (
        "templates".into(),
        "the email could not be rendered now; try again".into(),
    )
}

fn run_child(input: &[u8]) -> Rendered {
    let exe = std::env::current_exe().map_err(unavailable)?;
    let mut cmd = Command::new(exe);
    cmd.arg(CHILD_COMMAND)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: only setrlimit, which is async-signal-safe, runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                let set = |resource, soft: u64, hard: u64| {
                    let lim = libc::rlimit {
                        rlim_cur: soft,
                        rlim_max: hard,
                    };
                    if libc::setrlimit(resource, &lim) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                };
                set(libc::RLIMIT_AS, MEMORY_BYTES, MEMORY_BYTES)?;
                set(libc::RLIMIT_CPU, CPU_SECONDS, CPU_SECONDS + 1)?;
                set(libc::RLIMIT_FSIZE, 0, 0)?;
                set(libc::RLIMIT_CORE, 0, 0)?;
                Ok(())
            });
        }
    }
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(unavailable)?;
    // The child reads all of its input before it writes: no deadlock on a full pipe. A child
    // that died early makes this fail (EPIPE), which its exit status explains below.
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    let out = child.stdout.take().map(|s| read_bounded(s, MAX_ANSWER + 1));
    let err = child.stderr.take().map(|s| read_bounded(s, 64 * 1024));
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if started.elapsed() >= DEADLINE => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(unavailable(e)),
        }
    };
    let answer = out.and_then(|h| h.join().ok()).unwrap_or_default();
    let progress = err.and_then(|h| h.join().ok()).unwrap_or_default();
    let progress = String::from_utf8_lossy(&progress);
    let part = progress
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("part:"))
        .unwrap_or("templates")
        .to_owned();
    let Some(status) = status else {
        return Err((
            part,
            format!(
                "the template takes too much time to render (over {} s)",
                DEADLINE.as_secs()
            ),
        ));
    };
    if answer.len() > MAX_ANSWER {
        return Err((part, "the rendered email is too large".into()));
    }
    if !status.success() {
        return Err((part, why_it_died(status, &progress)));
    }
    match serde_json::from_slice::<Answer>(&answer) {
        Ok(Answer::Rendered {
            subject,
            html,
            text,
        }) => Ok((subject, html, text)),
        Ok(Answer::Failed { part, message }) => Err((part, message)),
        Err(e) => Err(unavailable(e)),
    }
}

/// Words for a child that did not finish, from how it ended.
fn why_it_died(status: std::process::ExitStatus, stderr: &str) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if status.signal() == Some(libc::SIGXCPU) || status.signal() == Some(libc::SIGKILL) {
            return format!(
                "the template takes too much time to render (over {CPU_SECONDS} s of work)"
            );
        }
    }
    if stderr.contains("memory allocation") || stderr.contains("capacity overflow") {
        return format!(
            "the template needs more than {} MiB of memory to render",
            MEMORY_BYTES / (1024 * 1024)
        );
    }
    tracing::warn!(%status, stderr = %stderr.chars().take(500).collect::<String>(), "the email renderer failed");
    "the template could not be rendered".into()
}

fn read_bounded(
    mut from: impl Read + Send + 'static,
    limit: usize,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = (&mut from).take(limit as u64).read_to_end(&mut buf);
        // Keep draining so the child never blocks on a full pipe; the excess is dropped.
        let _ = std::io::copy(&mut from, &mut std::io::sink());
        buf
    })
}

/// `portico render-email`: the child's side. Exit status 0 with an answer on standard output,
/// whether the template rendered or not; anything else means a limit stopped it.
pub fn child_main() -> std::process::ExitCode {
    let mut input = Vec::new();
    if std::io::stdin()
        .take(MAX_REQUEST as u64)
        .read_to_end(&mut input)
        .is_err()
    {
        return std::process::ExitCode::FAILURE;
    }
    let answer = match serde_json::from_slice::<Request>(&input) {
        Ok(request) => render_here(&request),
        Err(e) => Answer::Failed {
            part: "templates".into(),
            message: e.to_string(),
        },
    };
    let mut stdout = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut stdout, &answer).is_ok() && stdout.flush().is_ok();
    if written {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

fn render_here(request: &Request) -> Answer {
    let failed = |part: &str, message: String| Answer::Failed {
        part: part.to_owned(),
        message,
    };
    let Some(kind) = EmailKind::from_key(&request.kind) else {
        return failed("kind", format!("no email `{}`", request.kind));
    };
    let templates = match EmailTemplates::builtin() {
        Ok(t) => t,
        Err(e) => return failed("templates", e.to_string()),
    };
    let language = Language::of(Some(&request.language));
    let custom = EmailOverride {
        subject: request.subject.clone(),
        html: request.html.clone(),
        text: request.text.clone(),
    };
    let mut parts = Vec::new();
    for part in ["subject", "html", "text"] {
        eprintln!("part:{part}");
        match templates.render_part(kind, language, &request.context, Some(&custom), part) {
            Ok(p) => parts.push(p),
            Err(ThemeError::Render { part, message, .. }) => return failed(part, message),
        }
    }
    let text = parts.pop().unwrap_or_default();
    let html = parts.pop().unwrap_or_default();
    let subject = parts.pop().unwrap_or_default();
    Answer::Rendered {
        subject,
        html,
        text,
    }
}
