//! Who may do what: every operation of the staff schema, for every role. The table must list
//! every root field the schema has, so a new operation cannot arrive untested.

use crate::helpers::{App, Client, code, spawn_app};
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Allowed,
    Unauthenticated,
    Forbidden,
    NotFound,
    /// Allowed to try, refused for its input (a wrong current password).
    Invalid,
}
use Expect::*;

/// (operation, document, anonymous, plain staff, staff with portal setting, admin)
fn table(ids: &Value) -> Vec<(&'static str, String, [Expect; 4])> {
    let case = ids["case"].as_str().unwrap();
    let contact = ids["contact"].as_str().unwrap();
    let org = ids["org"].as_str().unwrap();
    let deal = ids["deal"].as_str().unwrap();
    let user = ids["user"].as_str().unwrap();
    let group = ids["group"].as_str().unwrap();
    let linked = ids["linked"].as_str().unwrap();
    let doc = ids["doc"].as_str().unwrap();
    let plain = ids["plain"].as_str().unwrap();
    let staff = [Unauthenticated, Allowed, Allowed, Allowed];
    let portal = [Unauthenticated, Forbidden, Allowed, Allowed];
    let admin = [Unauthenticated, Forbidden, Forbidden, Allowed];
    vec![
        ("fieldDefinitions", "{ fieldDefinitions(entity: CASE) { key } }".into(), staff),
        ("fieldTypes", "{ fieldTypes { type input operators } }".into(), staff),
        ("recordTypes", "{ recordTypes { entity updateInput filter } }".into(), staff),
        ("contacts", "{ contacts { totalCount } }".into(), staff),
        ("contact", format!("{{ contact(id: \"{contact}\") {{ id }} }}"), staff),
        ("cases", "{ cases { totalCount } }".into(), staff),
        ("case", format!("{{ case(id: \"{case}\") {{ id }} }}"), staff),
        ("deals", "{ deals { totalCount } }".into(), staff),
        ("deal", format!("{{ deal(id: \"{deal}\") {{ id }} }}"), staff),
        ("me", "{ me { id } }".into(), staff),
        ("staffUsers", "{ staffUsers { id } }".into(), staff),
        ("permissionGroups", "{ permissionGroups { id } }".into(), staff),
        ("auditLog", format!("{{ auditLog(entity: CASE, id: \"{case}\") {{ action }} }}"), staff),
        ("createContact", "mutation { createContact(input: {name: \"N\"}) { id } }".into(), staff),
        ("updateContact", format!("mutation {{ updateContact(id: \"{contact}\", input: {{phone: \"+34 1\"}}) {{ id }} }}"), staff),
        ("createCase", "mutation { createCase(input: {subject: \"S\"}) { id } }".into(), staff),
        ("updateCase", format!("mutation {{ updateCase(id: \"{case}\", input: {{status: CLOSED}}) {{ id }} }}"), staff),
        ("createDeal", "mutation { createDeal(input: {name: \"D\"}) { id } }".into(), staff),
        ("updateDeal", format!("mutation {{ updateDeal(id: \"{deal}\", input: {{stage: WON}}) {{ id }} }}"), staff),
        ("addCaseContact", format!("mutation {{ addCaseContact(caseId: \"{case}\", contactId: \"{contact}\") {{ id }} }}"), staff),
        ("removeCaseContact", format!("mutation {{ removeCaseContact(caseId: \"{case}\", contactId: \"{contact}\") }}"), staff),
        ("addRelationship", format!("mutation {{ addRelationship(individualId: \"NEWPERSON\", organisationId: \"{org}\") {{ id }} }}"), staff),
        ("removeRelationship", "mutation { removeRelationship(id: \"REL\") }".into(), staff),
        ("deleteCase", "mutation { deleteCase(id: \"NEWCASE\") }".into(), staff),
        ("deleteDeal", "mutation { deleteDeal(id: \"NEWDEAL\") }".into(), staff),
        ("deleteContact", "mutation { deleteContact(id: \"NEWCONTACT\") }".into(), staff),
        ("portalCandidates", format!("{{ portalCandidates(caseId: \"{case}\") {{ contact {{ id }} }} }}"), staff),
        ("setPortalAccess", format!("mutation {{ setPortalAccess(caseId: \"{case}\", contactId: \"{linked}\", enabled: true, canDownload: false) {{ enabled }} }}"), portal),
        ("sendPortalInvitation", format!("mutation {{ sendPortalInvitation(contactId: \"{linked}\") {{ status }} }}"), portal),
        ("document", format!("{{ document(id: \"{doc}\") {{ id }} }}"), staff),
        ("sharedDocuments", format!("{{ sharedDocuments(caseId: \"{case}\", contactId: \"{linked}\") {{ id }} }}"), staff),
        ("uploadDocument", format!("mutation($file: Upload!) {{ uploadDocument(caseId: \"{case}\", file: $file) {{ id }} }}"), staff),
        ("replaceDocumentContent", format!("mutation($file: Upload!) {{ replaceDocumentContent(id: \"{doc}\", file: $file) {{ id }} }}"), staff),
        ("renameDocument", format!("mutation {{ renameDocument(id: \"{doc}\", name: \"Renamed.txt\") {{ id }} }}"), staff),
        ("deleteDocument", "mutation { deleteDocument(id: \"NEWDOC\") }".into(), staff),
        ("createFolder", format!("mutation {{ createFolder(caseId: \"{case}\", name: \"F\") {{ id }} }}"), staff),
        ("shareDocuments", format!("mutation {{ shareDocuments(caseId: \"{case}\", contactId: \"{linked}\", documentIds: [\"{doc}\"]) {{ id }} }}"), staff),
        ("unshareDocument", format!("mutation {{ unshareDocument(caseId: \"{case}\", contactId: \"{linked}\", documentId: \"{doc}\") }}"), staff),
        ("caseNotificationRecipients", format!("{{ caseNotificationRecipients(caseId: \"{case}\") {{ inApp }} }}"), staff),
        ("setCaseNotificationRecipient", format!("mutation {{ setCaseNotificationRecipient(caseId: \"{case}\", userId: \"{user}\", inApp: true, email: false) {{ inApp }} }}"), staff),
        ("removeCaseNotificationRecipient", format!("mutation {{ removeCaseNotificationRecipient(caseId: \"{case}\", userId: \"{plain}\") }}"), staff),
        ("notifications", "{ notifications(unreadOnly: true) { id } }".into(), staff),
        // Nobody's notification: each user reaches only their own.
        ("markNotificationRead", "mutation { markNotificationRead(id: \"999999\") { id } }".into(), [Unauthenticated, NotFound, NotFound, NotFound]),
        ("createApiToken", "mutation { createApiToken(name: \"t\") { token } }".into(), staff),
        ("apiTokens", "{ apiTokens { id name createdAt lastUsedAt expiresAt } }".into(), staff),
        // Another user's tokens are an admin's business only.
        ("apiTokens", format!("{{ apiTokens(userId: \"{user}\") {{ id }} }}"), admin),
        // Nobody's token: each user reaches only their own (an admin any, but this one is not).
        ("revokeApiToken", "mutation { revokeApiToken(id: \"999999\") }".into(), [Unauthenticated, NotFound, NotFound, NotFound]),
        ("changePassword", "mutation { changePassword(currentPassword: \"not the password\", newPassword: \"another long password\") }".into(), [Unauthenticated, Invalid, Invalid, Invalid]),
        ("logout", "mutation { logout }".into(), [Unauthenticated, Allowed, Allowed, Allowed]),
        ("emailTemplates", "{ emailTemplates { kind } }".into(), admin),
        ("branding", "{ branding { firmName primaryColor logoUrl } }".into(), [Allowed; 4]),
        ("updateBranding", "mutation { updateBranding(input: {firmName: \"Firm KEY\"}) { firmName } }".into(), admin),
        // The admin passes authorization and is then told a text file is no logo.
        ("uploadBrandingLogo", "mutation($file: Upload!) { uploadBrandingLogo(file: $file) { logoUrl } }".into(), [Unauthenticated, Forbidden, Forbidden, Invalid]),
        ("removeBrandingLogo", "mutation { removeBrandingLogo }".into(), admin),
        ("createClientRequest", format!("mutation {{ createClientRequest(input: {{caseId: \"{case}\", contactIds: [\"{linked}\"], kind: DOCUMENTS, title: \"Payslips\"}}) {{ id }} }}"), staff),
        ("clientRequests", format!("{{ clientRequests(caseId: \"{case}\") {{ id }} }}"), staff),
        ("acceptClientRequest", "mutation { acceptClientRequest(id: \"999999\") { id } }".into(), [Unauthenticated, NotFound, NotFound, NotFound]),
        ("returnClientRequest", "mutation { returnClientRequest(id: \"999999\", comment: \"again\") { id } }".into(), [Unauthenticated, NotFound, NotFound, NotFound]),
        ("cancelClientRequest", "mutation { cancelClientRequest(id: \"999999\") { id } }".into(), [Unauthenticated, NotFound, NotFound, NotFound]),
        ("questionnaireTemplates", "{ questionnaireTemplates { id name } }".into(), staff),
        ("saveQuestionnaireTemplate", "mutation { saveQuestionnaireTemplate(name: \"qKEY\", questions: [{key: \"year\", label: \"Year\", type: NUMBER}]) { id } }".into(), staff),
        ("deleteQuestionnaireTemplate", "mutation { deleteQuestionnaireTemplate(id: \"999999\") }".into(), [Unauthenticated, NotFound, NotFound, NotFound]),
        // Any file: a note is no PDF Portico signed, so the answer is an empty list.
        ("verifySignedDocument", "mutation($file: Upload!) { verifySignedDocument(file: $file) { signedAt } }".into(), staff),
        ("signingCertificate", "{ signingCertificate { subject } }".into(), admin),
        // The admin passes authorization and is then told the text is no key.
        ("replaceSigningIdentity", "mutation { replaceSigningIdentity(privateKeyPem: \"x\", certificatePem: \"y\") { subject } }".into(), [Unauthenticated, Forbidden, Forbidden, Invalid]),
        ("requestReminderSettings", "{ requestReminderSettings { daysBefore } }".into(), admin),
        ("updateRequestReminderSettings", "mutation { updateRequestReminderSettings(daysBefore: 2, onDueDate: true, everyDays: 3) { everyDays } }".into(), admin),
        ("caseMessages", format!("{{ caseMessages(caseId: \"{case}\") {{ id body }} }}"), staff),
        ("postCaseMessage", format!("mutation {{ postCaseMessage(caseId: \"{case}\", body: \"A note\", internal: true) {{ id }} }}"), staff),
        // Nobody's message: each author reaches only their own.
        ("editCaseMessage", "mutation { editCaseMessage(id: \"999999\", body: \"x\") { id } }".into(), [Unauthenticated, NotFound, NotFound, NotFound]),
        ("deleteCaseMessage", "mutation { deleteCaseMessage(id: \"999999\") { id } }".into(), [Unauthenticated, NotFound, NotFound, NotFound]),
        ("unreadConversations", "{ unreadConversations { id unreadMessages } }".into(), staff),
        ("markCaseMessagesRead", format!("mutation {{ markCaseMessagesRead(caseId: \"{case}\") }}"), staff),
        ("clientDigestSettings", "{ clientDigestSettings { sendAt timeZone } }".into(), admin),
        ("updateClientDigestSettings", "mutation { updateClientDigestSettings(sendAt: \"08:00\", timeZone: \"Europe/Madrid\") { sendAt } }".into(), admin),
        ("staffInvitation", "{ staffInvitation(token: \"sin_nothing\") { state } }".into(), [Allowed; 4]),
        ("acceptInvitation", "mutation { acceptInvitation(token: \"sin_nothing\", password: \"a long password\") { token } }".into(), [Invalid; 4]),
        ("sendStaffInvitation", "mutation { sendStaffInvitation(userId: \"999999\") { id } }".into(), [Unauthenticated, Forbidden, Forbidden, NotFound]),
        ("previewEmailTemplate", "{ previewEmailTemplate(kind: INVITATION, language: ES, input: {subject: \"Hola {{ contact_name }}\", html: \"<p>{{ link }}</p>\", text: \"{{ link }}\"}) { subject } }".into(), admin),
        ("setMyLanguage", "mutation { setMyLanguage(language: \"en\") { id } }".into(), staff),
        ("setMyTimeZone", "mutation { setMyTimeZone(timeZone: \"Europe/Madrid\") { id } }".into(), staff),
        ("updateEmailTemplate", "mutation { updateEmailTemplate(kind: INVITATION, language: EN, input: {subject: \"S\", html: \"<p>{{ link }}</p>\", text: \"{{ link }}\"}) { customised } }".into(), admin),
        ("resetEmailTemplate", "mutation { resetEmailTemplate(kind: INVITATION, language: EN) { customised } }".into(), admin),
        ("createFieldDefinition", "mutation { createFieldDefinition(input: {entity: CASE, key: \"kKEY\", label: \"K\", type: TEXT}) { id } }".into(), admin),
        ("fieldOptionUsage", "{ fieldOptionUsage(entity: CASE, key: \"status\") { option count } }".into(), staff),
        ("renameFieldOption", "mutation { renameFieldOption(entity: DEAL, key: \"stage\", from: \"Won\", to: \"Won\") { key } }".into(), admin),
        ("updateFieldDefinition", "mutation { updateFieldDefinition(entity: CASE, key: \"subject\", input: {label: \"Subject\"}) { id } }".into(), admin),
        ("createStaffUser", "mutation { createStaffUser(input: {name: \"U\", email: \"uKEY@example.com\", password: \"a long password\"}) { id } }".into(), admin),
        ("updateStaffUser", format!("mutation {{ updateStaffUser(id: \"{user}\", input: {{name: \"Renamed\"}}) {{ id }} }}"), admin),
        ("createPermissionGroup", "mutation { createPermissionGroup(input: {name: \"gKEY\"}) { id } }".into(), admin),
        ("updatePermissionGroup", format!("mutation {{ updatePermissionGroup(id: \"{group}\", input: {{portalAccess: true}}) {{ id }} }}"), admin),
        ("login", "mutation { login(email: \"nobody@example.com\", password: \"wrong password\") { token } }".into(), [Unauthenticated; 4]),
    ]
}

async fn upload_document(app: &App, case: &str) -> String {
    app.admin
        .upload(
            "mutation($c: ID!, $file: Upload!) { uploadDocument(caseId: $c, file: $file) { id } }",
            json!({"c": case}),
            "note.txt",
            b"note",
        )
        .await["uploadDocument"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn root_fields(app: &App) -> Vec<String> {
    let d = app
        .admin
        .ok("{ q: __type(name: \"Query\") { fields { name } } m: __type(name: \"Mutation\") { fields { name } } }", json!({}))
        .await;
    ["q", "m"]
        .iter()
        .flat_map(|t| {
            d[*t]["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn fresh_ids(app: &App, ids: &Value) -> (String, String, String, String, String) {
    let contact = app
        .admin
        .ok(
            "mutation { createContact(input: {name: \"Tmp\"}) { id } }",
            json!({}),
        )
        .await["createContact"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let case = app
        .admin
        .ok(
            "mutation { createCase(input: {subject: \"Tmp\"}) { id } }",
            json!({}),
        )
        .await["createCase"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deal = app
        .admin
        .ok(
            "mutation { createDeal(input: {name: \"Tmp\"}) { id } }",
            json!({}),
        )
        .await["createDeal"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let person = app
        .admin
        .ok(
            "mutation { createContact(input: {name: \"P\"}) { id } }",
            json!({}),
        )
        .await["createContact"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rel = app
        .admin
        .ok("mutation($i: ID!, $o: ID!) { addRelationship(individualId: $i, organisationId: $o) { id } }", json!({"i": person, "o": ids["org"]}))
        .await["addRelationship"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let loner = app
        .admin
        .ok(
            "mutation { createContact(input: {name: \"L\"}) { id } }",
            json!({}),
        )
        .await["createContact"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (contact, case, deal, rel, loner)
}

#[tokio::test]
async fn every_operation_for_every_role() {
    let app = spawn_app().await;
    let portal_group = app
        .admin
        .ok("mutation { createPermissionGroup(input: {name: \"Portal\", portalAccess: true}) { id } }", json!({}))
        .await["createPermissionGroup"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let plain = app.staff("plain@example.com", &[]).await;
    let portal = app.staff("portal@example.com", &[&portal_group]).await;
    let contact = app
        .admin
        .ok(
            "mutation { createContact(input: {name: \"C\"}) { id } }",
            json!({}),
        )
        .await["createContact"]["id"]
        .clone();
    let org = app
        .admin
        .ok(
            "mutation { createContact(input: {name: \"O\", kind: ORGANISATION}) { id } }",
            json!({}),
        )
        .await["createContact"]["id"]
        .clone();
    let case = app
        .admin
        .ok(
            "mutation { createCase(input: {subject: \"S\"}) { id } }",
            json!({}),
        )
        .await["createCase"]["id"]
        .clone();
    let deal = app
        .admin
        .ok(
            "mutation { createDeal(input: {name: \"D\"}) { id } }",
            json!({}),
        )
        .await["createDeal"]["id"]
        .clone();
    let user = app.admin.ok("{ me { id } }", json!({})).await["me"]["id"].clone();
    let linked = app
        .admin
        .ok(
            "mutation { createContact(input: {name: \"Client\", email: \"client@example.com\"}) { id } }",
            json!({}),
        )
        .await["createContact"]["id"]
        .clone();
    app.admin
        .ok(
            "mutation($c: ID!, $p: ID!) { addCaseContact(caseId: $c, contactId: $p) { id } }",
            json!({"c": case, "p": linked}),
        )
        .await;
    app.admin
        .ok(
            "mutation($c: ID!, $p: ID!) { setPortalAccess(caseId: $c, contactId: $p, enabled: true, canDownload: true) { enabled } }",
            json!({"c": case, "p": linked}),
        )
        .await;
    let doc = upload_document(&app, case.as_str().unwrap()).await;
    let plain_id = plain.ok("{ me { id } }", json!({})).await["me"]["id"].clone();
    let ids = json!({"case": case, "contact": contact, "org": org, "deal": deal, "user": user, "group": portal_group, "linked": linked, "doc": doc, "plain": plain_id});

    let rows = table(&ids);
    let covered: Vec<&str> = rows.iter().map(|r| r.0).collect();
    for f in root_fields(&app).await {
        assert!(
            covered.contains(&f.as_str()),
            "operation `{f}` has no row in the authorization table"
        );
    }

    for (role, who) in ["anonymous", "plain staff", "portal staff", "admin"]
        .iter()
        .enumerate()
    {
        for (op, doc, expect) in table(&ids) {
            // Each role gets fresh records to delete and a session of its own to end.
            let (new_contact, new_case, new_deal, rel, person) = fresh_ids(&app, &ids).await;
            let doc = if doc.contains("NEWDOC") {
                let case = ids["case"].as_str().unwrap();
                doc.replace("NEWDOC", &upload_document(&app, case).await)
            } else {
                doc
            };
            let doc = doc
                .replace("NEWCONTACT", &new_contact)
                .replace("NEWCASE", &new_case)
                .replace("NEWDEAL", &new_deal)
                .replace("REL", &rel)
                .replace("NEWPERSON", &person)
                .replace("KEY", &format!("{role}x"));
            let client: Client = match role {
                0 => app.client(),
                1 if op == "logout" => {
                    app.client()
                        .login("plain@example.com", "a long password")
                        .await
                }
                2 if op == "logout" => {
                    app.client()
                        .login("portal@example.com", "a long password")
                        .await
                }
                3 if op == "logout" => {
                    app.client()
                        .login(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD)
                        .await
                }
                1 => plain.clone(),
                2 => portal.clone(),
                _ => app.admin.clone(),
            };
            let body = if doc.contains("$file") {
                client
                    .upload_raw(&doc, json!({}), "note.txt", "text/plain", b"note")
                    .await
                    .1
            } else {
                client.raw(&doc, json!({})).await
            };
            let got = match body.get("errors") {
                None => Allowed,
                Some(errors) => match code(&errors[0]) {
                    "UNAUTHENTICATED" => Unauthenticated,
                    "FORBIDDEN" => Forbidden,
                    "NOT_FOUND" => NotFound,
                    "VALIDATION" => Invalid,
                    other => panic!("{who} {op}: unexpected {other}: {body}"),
                },
            };
            assert_eq!(got, expect[role], "{who} {op}: {body}");
        }
    }
    // The portal setting is a policy a group carries; it shows up in what Casbin allows.
    let groups = portal
        .ok("{ permissionGroups { name portalAccess } }", json!({}))
        .await;
    assert!(groups.to_string().contains("\"portalAccess\":true"));
}
