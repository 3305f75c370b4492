//! The absolute links emails carry. The public URL is known only once the server has bound its
//! address (`PORTICO_PUBLIC_URL` defaults to it), so it is set after the engine opens.

use std::sync::OnceLock;

#[derive(Default)]
pub struct Links {
    base: OnceLock<String>,
}

impl Links {
    /// Sets the base once; later calls are ignored, so every link of a process agrees.
    pub fn set_base(&self, url: &str) {
        let _ = self.base.set(url.trim_end_matches('/').to_owned());
    }

    fn base(&self) -> &str {
        self.base
            .get()
            .map_or("http://127.0.0.1:8080", String::as_str)
    }

    pub fn invitation(&self, token: &str) -> String {
        format!("{}/portal/invitation/{token}", self.base())
    }

    pub fn password_reset(&self, token: &str) -> String {
        format!("{}/portal/reset/{token}", self.base())
    }

    /// The case in the staff web UI.
    pub fn admin_case(&self, case_id: i64) -> String {
        format!("{}/admin/cases/{case_id}", self.base())
    }

    pub fn portal_case(&self, case_id: i64) -> String {
        format!("{}/portal/cases/{case_id}", self.base())
    }
}
