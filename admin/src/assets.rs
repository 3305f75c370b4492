//! The UI's files, embedded in the binary, served under one content hash.
//!
//! Every asset lives at `/admin/assets/<hash>/<path>`, where the hash covers all of them: the
//! modules import each other by relative path, so one hash for the set keeps those imports
//! working while any change to any file gives every file a new address. Under that address a
//! file never changes, so it is cached for good (`immutable`); it is sent gzipped (compressed
//! once, at first use) to browsers that take it, with an ETag for revalidation.

use flate2::Compression;
use flate2::write::GzEncoder;
use std::collections::HashMap;
use std::io::Write;
use std::sync::LazyLock;

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

macro_rules! file {
    ($path:literal, $type:expr) => {
        (
            $path,
            $type,
            include_bytes!(concat!("../assets/", $path)).as_slice(),
        )
    };
}

/// Every file the UI loads, by its path under the hash.
const FILES: &[(&str, &str, &[u8])] = &[
    file!("app.js", JS),
    file!("style.css", CSS),
    file!("lib/graphql.js", JS),
    file!("lib/router.js", JS),
    file!("lib/i18n.js", JS),
    file!("lib/html.js", JS),
    file!("lib/search.js", JS),
    file!("lib/live.js", JS),
    file!("lib/toast.js", JS),
    file!("parts/toasts.js", JS),
    file!("i18n/es.js", JS),
    file!("i18n/en.js", JS),
    file!("screens/sign_in.js", JS),
    file!("screens/shell.js", JS),
    file!("screens/fields.js", JS),
    file!("lib/records.js", JS),
    file!("lib/upload.js", JS),
    file!("lib/use_record.js", JS),
    file!("parts/audit_log.js", JS),
    file!("parts/bell.js", JS),
    file!("parts/conflict_dialog.js", JS),
    file!("parts/dialog.js", JS),
    file!("parts/picker.js", JS),
    file!("parts/record_form.js", JS),
    file!("screens/record_list.js", JS),
    file!("screens/record_new.js", JS),
    file!("screens/case.js", JS),
    file!("screens/case_documents.js", JS),
    file!("screens/client_connect.js", JS),
    file!("screens/case_requests.js", JS),
    file!("screens/case_conversation.js", JS),
    file!("screens/contact.js", JS),
    file!("screens/deal.js", JS),
    file!("screens/field_editor.js", JS),
    file!("screens/staff_users.js", JS),
    file!("screens/api_tokens.js", JS),
    file!("screens/email_templates.js", JS),
    file!("screens/account.js", JS),
    file!("screens/branding.js", JS),
    file!("screens/home.js", JS),
    file!("screens/verify.js", JS),
    file!("screens/invitation.js", JS),
    file!("vendor/preact.module.js", JS),
    file!("vendor/hooks.module.js", JS),
    file!("vendor/htm.module.js", JS),
    file!("vendor/signals.module.js", JS),
    file!("vendor/signals-core.module.js", JS),
    file!("vendor/preact.LICENSE.txt", TEXT),
    file!("vendor/htm.LICENSE.txt", TEXT),
    file!("vendor/signals.LICENSE.txt", TEXT),
    file!("vendor/SHA256SUMS", TEXT),
];

pub struct Asset {
    pub content_type: &'static str,
    pub bytes: &'static [u8],
    /// The gzipped bytes, when smaller.
    pub gzip: Option<Vec<u8>>,
    /// A strong validator: the file's own hash, quoted.
    pub etag: String,
}

pub struct Assets {
    /// The hash in every asset's address.
    pub hash: String,
    files: HashMap<&'static str, Asset>,
}

impl Assets {
    pub fn get(&self, path: &str) -> Option<&Asset> {
        self.files.get(path)
    }

    /// What the app's scripts and styles weigh as sent to a browser taking gzip (the app
    /// imports every screen's module at start, so a first visit loads them all).
    pub fn loaded_bytes(&self) -> usize {
        self.files
            .values()
            .filter(|a| a.content_type == JS || a.content_type == CSS)
            .map(|a| a.gzip.as_ref().map_or(a.bytes.len(), Vec::len))
            .sum()
    }

    /// Where the assets are served, with no trailing slash.
    pub fn base(&self) -> String {
        format!("/admin/assets/{}", self.hash)
    }
}

pub static ASSETS: LazyLock<Assets> = LazyLock::new(|| {
    let mut all = Fnv::new();
    let mut files = HashMap::new();
    for (path, content_type, bytes) in FILES {
        all.write(path.as_bytes());
        all.write(bytes);
        let mut own = Fnv::new();
        own.write(bytes);
        files.insert(
            *path,
            Asset {
                content_type,
                bytes,
                gzip: gzip(bytes).filter(|g| g.len() < bytes.len()),
                etag: format!("\"{}\"", own.hex()),
            },
        );
    }
    Assets {
        hash: all.hex(),
        files,
    }
});

pub fn gzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).ok()?;
    encoder.finish().ok()
}

/// FNV-1a, 64 bits: a short, stable fingerprint (not a security measure).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf29ce484222325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }

    fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_there_and_scripts_compress() {
        assert_eq!(ASSETS.hash.len(), 16);
        let app = ASSETS.get("app.js").expect("app.js");
        assert!(app.etag.starts_with('"') && app.etag.len() == 18);
        let preact = ASSETS.get("vendor/preact.module.js").expect("preact");
        assert!(
            preact
                .gzip
                .as_ref()
                .is_some_and(|g| g.len() < preact.bytes.len() / 2)
        );
        assert!(ASSETS.get("../Cargo.toml").is_none());
    }

    /// A module left out of `FILES` would be a 404 that only a browser notices.
    #[test]
    fn every_file_under_assets_is_served() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets");
        let mut missing = Vec::new();
        let mut dirs = vec![root.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("assets folder") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let name = path
                    .strip_prefix(&root)
                    .expect("under assets")
                    .to_string_lossy()
                    .replace('\\', "/");
                if name != "index.html" && ASSETS.get(&name).is_none() {
                    missing.push(name);
                }
            }
        }
        assert!(missing.is_empty(), "not in FILES: {missing:?}");
    }
}
