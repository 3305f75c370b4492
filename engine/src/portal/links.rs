//! The absolute links emails carry, from the public URL the engine was opened with.

pub struct Links {
    base: String,
}

impl Links {
    pub fn new(public_url: &str) -> Links {
        Links {
            base: public_url.trim_end_matches('/').to_owned(),
        }
    }

    fn base(&self) -> &str {
        &self.base
    }

    /// A path of ours (`/branding/logo-...`) as a link that works from an email.
    pub fn absolute(&self, path: &str) -> String {
        format!("{}{path}", self.base())
    }

    pub fn invitation(&self, token: &str) -> String {
        format!("{}/portal/invitation/{token}", self.base())
    }

    /// The staff UI's screen where a new staff user chooses their password.
    pub fn staff_invitation(&self, token: &str) -> String {
        format!("{}/admin/invitation/{token}", self.base())
    }

    pub fn password_reset(&self, token: &str) -> String {
        format!("{}/portal/reset/{token}", self.base())
    }

    /// The case in the staff web UI.
    pub fn admin_case(&self, case_id: i64) -> String {
        format!("{}/admin/cases/{case_id}", self.base())
    }

    /// The portal's home page.
    pub fn portal_home(&self) -> String {
        format!("{}/portal", self.base())
    }

    pub fn portal_case(&self, case_id: i64) -> String {
        format!("{}/portal/cases/{case_id}", self.base())
    }

    /// A client request's page on the portal.
    pub fn portal_request(&self, request_id: i64) -> String {
        format!("{}/portal/requests/{request_id}", self.base())
    }
}
