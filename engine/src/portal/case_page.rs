//! What a case's portal page reads, in one call: the case through the user's grant, its
//! documents and folders, the requests addressed to the user and the conversation. The user's
//! grant row is read once for all of them; read by each part, it cost two more round trips a
//! page (issue 23).

use crate::Engine;
use crate::conversation::{Conversation, Window};
use crate::documents::{CaseView, DocumentQuery};
use crate::error::Result;
use crate::identity::Principal;
use crate::requests::ClientRequest;

pub struct CasePage {
    pub view: CaseView,
    /// What the firm asked the user for on this case, newest first.
    pub requests: Vec<ClientRequest>,
    pub conversation: Conversation,
    /// The user's unread messages on the case before this read marked them read.
    pub unread_before: u64,
}

impl Engine {
    pub(crate) async fn portal_case_page(
        &self,
        p: &Principal,
        case_id: i64,
        how: &DocumentQuery,
        window: Window,
    ) -> Result<CasePage> {
        let (view, granted) = self.portal_case_view_granted(p, case_id, how).await?;
        let requests = self
            .portal_case_client_requests_granted(p, case_id, granted.as_ref())
            .await?;
        let (conversation, unread_before) = self
            .portal_case_page_messages_granted(p, case_id, window, granted.as_ref())
            .await?;
        Ok(CasePage {
            view,
            requests,
            conversation,
            unread_before,
        })
    }
}
