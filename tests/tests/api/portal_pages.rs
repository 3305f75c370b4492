//! The client portal's web pages over real HTTP, as a browser without JavaScript uses them:
//! forms, redirects and cookies. (The real browser walks them in the browser tests.)

use crate::portal::{PUBLIC, PortalApp, portal_app};
use serde_json::json;
use std::collections::HashMap;

/// A cookie-keeping client that does not follow redirects, so each answer can be inspected.
pub(crate) struct Browser {
    http: reqwest::Client,
    base: String,
    cookies: HashMap<String, String>,
    pub language: Option<&'static str>,
    /// The CSRF token of the last page that had a form, as a browser submits it.
    form_token: Option<String>,
}

pub(crate) struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookies: Vec<String>,
    pub body: String,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: base.to_owned(),
            cookies: HashMap::new(),
            language: None,
            form_token: None,
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let mut req = req.header("cookie", self.cookie_header());
        if let Some(l) = self.language {
            req = req.header("accept-language", l);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let set_cookies: Vec<String> = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        for c in &set_cookies {
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        let body = res.text().await.unwrap();
        if let Some(token) = body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        {
            self.form_token = Some(token.to_owned());
        }
        Page {
            status,
            location,
            set_cookies,
            body,
        }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    /// A form POST as our own page sends it (same-origin, with the token of the last page
    /// shown).
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf();
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf", &token));
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("sec-fetch-site", "same-origin")
            .form(&form);
        self.send(req).await
    }
}

impl Browser {
    /// The token the last page's forms carry.
    pub fn csrf(&self) -> String {
        self.form_token.clone().unwrap_or_default()
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// A cookie the browser holds.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    /// Sets a cookie as another site (or a script on a sibling domain) could plant it.
    pub fn plant_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.to_owned(), value.to_owned());
    }

    /// Signs in on the login form.
    pub async fn sign_in(&mut self, email: &str) {
        self.get("/portal/login").await;
        let done = self
            .post(
                "/portal/login",
                &[("email", email), ("password", crate::portal::PASSWORD)],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.body);
    }

    /// A `multipart/form-data` POST as our pages send it: `parts` in order, each a text field
    /// (`None` file name) or a file.
    pub async fn post_parts(&mut self, path: &str, parts: &[(&str, Option<&str>, &[u8])]) -> Page {
        let mut body = Vec::new();
        for (name, filename, content) in parts {
            body.extend_from_slice(b"--PorticoTestBoundary\r\n");
            let head = match filename {
                Some(f) => format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                ),
                None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
            };
            body.extend_from_slice(head.as_bytes());
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--PorticoTestBoundary--\r\n");
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("sec-fetch-site", "same-origin")
            .header(
                "content-type",
                "multipart/form-data; boundary=PorticoTestBoundary",
            )
            .body(body);
        self.send(req).await
    }
}

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_owned()
}

pub(crate) async fn a_client_with_a_case(t: &PortalApp) -> (String, String) {
    let carla = t
        .create_contact(json!({"name": "Carla", "email": "carla@example.com"}))
        .await;
    let case = t
        .create_case(json!({"subject": "Factura duplicada", "description": "Se cobró dos veces"}))
        .await;
    t.link(&case, &carla).await;
    t.set_access(&case, &carla, true, false).await;
    (carla, case)
}

#[tokio::test]
async fn the_bare_address_leads_on_and_pages_need_a_session() {
    let t = portal_app().await;
    let mut b = Browser::new(&t.app.server.url);
    let landing = b.get("/").await;
    assert_eq!(landing.status, 200);
    assert!(
        landing.body.contains("href=\"/portal\""),
        "{}",
        landing.body
    );
    assert!(landing.body.contains("<html lang=\"es\">"));
    let home = b.get("/portal/cases?status=OPEN").await;
    assert_eq!(home.status, 303);
    assert_eq!(
        home.location.as_deref(),
        Some("/portal/login?next=/portal/cases%3Fstatus%3DOPEN")
    );
    let login = b
        .get("/portal/login?next=/portal/cases%3Fstatus%3DOPEN")
        .await;
    assert_eq!(login.status, 200);
    assert!(
        login.body.contains("value=\"/portal/cases?status=OPEN\""),
        "{}",
        login.body
    );
    // English for a browser that asks for it.
    b.language = Some("en-GB,en;q=0.9");
    let en = b.get("/portal/login").await;
    assert!(
        en.body.contains("<html lang=\"en\">") && en.body.contains("Sign in"),
        "{}",
        en.body
    );
}

#[tokio::test]
async fn an_invitation_link_sets_a_password_and_signs_in() {
    let t = portal_app().await;
    let (_, case) = a_client_with_a_case(&t).await;
    let link = t
        .mail("carla@example.com", 1)
        .await
        .link(&format!("{PUBLIC}/portal/invitation/"));
    let token = token_of(&link);
    let mut b = Browser::new(&t.app.server.url);
    let form = b.get(&format!("/portal/invitation/{token}")).await;
    assert_eq!(form.status, 200);
    // The rule is stated before the first try.
    assert!(
        form.body.contains("Al menos 10 caracteres"),
        "{}",
        form.body
    );
    let path = format!("/portal/invitation/{token}");
    let mismatch = b
        .post(
            &path,
            &[
                ("password", "a portal password"),
                ("confirm", "another password"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.body.contains("no coinciden"), "{}", mismatch.body);
    // A form from another site is refused, and so is one without the token.
    let forged = b
        .send(
            b.http
                .post(format!("{}{path}", b.base))
                .header("sec-fetch-site", "cross-site")
                .form(&[
                    ("password", "a portal password"),
                    ("confirm", "a portal password"),
                ]),
        )
        .await;
    assert_eq!(forged.status, 403);
    let done = b
        .post(
            &path,
            &[
                ("password", "a portal password"),
                ("confirm", "a portal password"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/portal"));
    let session = done
        .set_cookies
        .iter()
        .find(|c| c.starts_with("portico_portal_session="))
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    let home = b.get("/portal").await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Factura duplicada"), "{}", home.body);
    let page = b.get(&format!("/portal/cases/{case}")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Se cobró dos veces"), "{}", page.body);
    // The link set the password once; opened again it leads to sign-in as that client.
    let again = Browser::new(&t.app.server.url)
        .get(&format!("/portal/invitation/{token}"))
        .await;
    assert_eq!(again.status, 303);
    assert_eq!(
        again.location.as_deref(),
        Some("/portal/login?account_ready=1&email=carla%40example.com")
    );
    // Signing out ends the session.
    let out = b.post("/portal/logout", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(b.get("/portal").await.status, 303);
}

#[tokio::test]
async fn sign_in_lists_cases_and_hides_what_is_not_yours() {
    let t = portal_app().await;
    let (_, case) = a_client_with_a_case(&t).await;
    t.accept_mailed("carla@example.com", 1).await;
    let other = t.create_case(json!({"subject": "Not Carla's"})).await;
    let mut b = Browser::new(&t.app.server.url);
    b.get("/portal/login").await;
    let wrong = b
        .post(
            "/portal/login",
            &[
                ("email", "carla@example.com"),
                ("password", "wrong password"),
                ("next", "/portal/cases"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("no son correctos"), "{}", wrong.body);
    assert!(
        wrong.body.contains("value=\"carla@example.com\""),
        "nothing typed is lost"
    );
    let right = b
        .post(
            "/portal/login",
            &[
                ("email", "carla@example.com"),
                ("password", crate::portal::PASSWORD),
                ("next", "/portal/cases"),
            ],
        )
        .await;
    assert_eq!(right.location.as_deref(), Some("/portal/cases"));
    let list = b.get("/portal/cases").await;
    assert!(list.body.contains("1 caso"), "{}", list.body);
    assert!(list.body.contains("Factura duplicada") && !list.body.contains("Not Carla"));
    let closed = b.get("/portal/cases?status=CLOSED").await;
    assert!(
        closed.body.contains("No hay casos con estado Cerrado"),
        "{}",
        closed.body
    );
    let searched = b.get("/portal/cases?q=nothing%20like%20it").await;
    assert!(
        searched.body.contains("nothing like it"),
        "{}",
        searched.body
    );
    // Someone else's case and a case that does not exist answer alike.
    let theirs = b.get(&format!("/portal/cases/{other}")).await;
    let nothing = b.get("/portal/cases/999999").await;
    assert_eq!((theirs.status, nothing.status), (404, 404));
    let main = |body: &str| body.split("<main").nth(1).unwrap_or_default().to_owned();
    assert_eq!(main(&theirs.body), main(&nothing.body));
    let mine = b.get(&format!("/portal/cases/{case}")).await;
    assert_eq!(mine.status, 200);
    // The language switch stays for the next pages.
    let switched = b
        .post(
            "/portal/language",
            &[("lang", "en"), ("back", "/portal/cases")],
        )
        .await;
    assert_eq!(switched.location.as_deref(), Some("/portal/cases"));
    assert!(b.get("/portal/cases").await.body.contains("1 case"));
}

#[tokio::test]
async fn a_client_opens_a_case_with_the_fields_the_admin_chose() {
    let t = portal_app().await;
    a_client_with_a_case(&t).await;
    t.accept_mailed("carla@example.com", 1).await;
    let mut b = Browser::new(&t.app.server.url);
    b.get("/portal/login").await;
    b.post(
        "/portal/login",
        &[
            ("email", "carla@example.com"),
            ("password", crate::portal::PASSWORD),
        ],
    )
    .await;
    let form = b.get("/portal/cases/new").await;
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("name=\"subject\"") && form.body.contains("name=\"description\""),
        "{}",
        form.body
    );
    assert!(!form.body.contains("name=\"urgency\""));
    // An admin adds a field and ticks "Portal field" (visible and editable): a refresh shows it.
    t.app
        .admin
        .ok(
            r#"mutation { createFieldDefinition(input: {entity: CASE, key: "urgency", label: "Urgency", type: SELECT, options: ["Low", "High"], help: "How soon you need us", portalVisible: true, portalEditable: true}) { key } }"#,
            json!({}),
        )
        .await;
    let form = b.get("/portal/cases/new").await;
    assert!(
        form.body.contains("name=\"urgency\"") && form.body.contains("How soon you need us"),
        "{}",
        form.body
    );
    // A blank subject is refused next to the field; what was typed stays.
    let refused = b
        .post(
            "/portal/cases/new",
            &[
                ("subject", "  "),
                ("description", "Two charges on the 3rd"),
                ("urgency", "High"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("id=\"e-subject\""),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("Two charges on the 3rd"));
    assert!(
        refused.body.contains("value=\"High\" selected"),
        "{}",
        refused.body
    );
    let made = b
        .post(
            "/portal/cases/new",
            &[
                ("subject", "Cargo duplicado"),
                ("description", "Two charges on the 3rd"),
                ("urgency", "High"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let location = made.location.unwrap();
    assert!(location.starts_with("/portal/cases/"), "{location}");
    let page = b.get(&location).await;
    assert!(
        page.body.contains("Cargo duplicado") && page.body.contains("High"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    let app =
        crate::helpers::spawn_app_with(&[("PORTICO_PUBLIC_URL", "https://portal.example.test")])
            .await;
    let mut b = Browser::new(&app.server.url);
    let page = b.get("/portal/login").await;
    let csrf = page
        .set_cookies
        .iter()
        .find(|c| c.starts_with("portico_csrf="))
        .expect("a CSRF cookie");
    assert!(
        csrf.contains("; Secure") && csrf.contains("HttpOnly") && csrf.contains("SameSite=Lax"),
        "{csrf}"
    );
    // Pages are never kept by shared caches, and carry the policy without inline script.
    let res = reqwest::get(format!("{}/portal/login", app.server.url))
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let script = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap_or_default();
    assert_eq!(script, "script-src 'self'", "{csp}");
}

/// What a phone needs to add the portal to its home screen: a manifest naming the firm, in its
/// colour, whose icons are served.
#[tokio::test]
async fn the_portal_can_be_added_to_a_home_screen() {
    let t = portal_app().await;
    t.app
        .admin
        .ok(
            "mutation { updateBranding(input: {firmName: \"Asesoría Pérez\", primaryColor: \"#0b5d3b\"}) { firmName } }",
            json!({}),
        )
        .await;
    let mut b = Browser::new(&t.app.server.url);
    let login = b.get("/portal/login").await;
    assert!(
        login
            .body
            .contains(r#"<link rel="manifest" href="/portal/manifest.webmanifest">"#)
            && login
                .body
                .contains(r##"<meta name="theme-color" content="#0b5d3b">"##),
        "{}",
        login.body
    );
    let http = reqwest::Client::new();
    let res = http
        .get(format!("{}/portal/manifest.webmanifest", t.app.server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/manifest+json");
    let manifest: serde_json::Value = res.json().await.unwrap();
    assert_eq!(manifest["name"], "Asesoría Pérez");
    assert_eq!(manifest["theme_color"], "#0b5d3b");
    assert_eq!(manifest["display"], "standalone");
    let icons = manifest["icons"].as_array().unwrap();
    assert_eq!(icons.len(), 2);
    for icon in icons {
        let res = http
            .get(format!(
                "{}{}",
                t.app.server.url,
                icon["src"].as_str().unwrap()
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/png");
        let png = res.bytes().await.unwrap();
        let side = icon["sizes"].as_str().unwrap().split('x').next().unwrap();
        let side: u32 = side.parse().unwrap();
        assert_eq!(&png[16..20], &side.to_be_bytes());
    }
    let bad = http
        .get(format!(
            "{}/portal/icons/icon-zzzzzz-192.png",
            t.app.server.url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 404);
}
