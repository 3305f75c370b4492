//! What a caller without credentials may send: the sign-in operations and `__typename`,
//! nothing else. Checked on the parsed document before it is validated against the schema:
//! a second security review mapped the staff schema anonymously by sending guesses and reading
//! the validation messages (`Unknown field "x"` for a wrong guess, `UNAUTHENTICATED` for a
//! right one). Refused first, every guess gets the same answer.

use async_graphql::ServerError;
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection};
use portico_engine::error::ErrorCode;

/// Root fields a caller without credentials may select, on either endpoint: signing in,
/// accepting an invitation, resetting a password, and signing out (harmless without a
/// session); and reading the brand, which the sign-in page shows anyway.
const SIGN_IN_MUTATIONS: [&str; 5] = [
    "login",
    "logout",
    "acceptInvitation",
    "requestPasswordReset",
    "resetPassword",
];

/// Whether an operation of `ty` may select `field` without credentials.
fn allowed(ty: OperationType, field: &str) -> bool {
    field == "__typename"
        || (ty == OperationType::Query && (field == "branding" || field == "staffInvitation"))
        || (ty == OperationType::Mutation && SIGN_IN_MUTATIONS.contains(&field))
}

/// Refuses every operation of the document that selects at its root anything but
/// [`allowed`] fields (fragments at the root count as anything).
pub fn check(doc: &ExecutableDocument) -> Result<(), ServerError> {
    let fine = doc.operations.iter().all(|(_, op)| {
        let ty = op.node.ty;
        op.node
            .selection_set
            .node
            .items
            .iter()
            .all(|item| match &item.node {
                Selection::Field(f) => allowed(ty, f.node.name.node.as_str()),
                _ => false,
            })
    });
    if fine {
        return Ok(());
    }
    let mut e = ServerError::new(
        "sign in first: without credentials only `login`, `acceptInvitation`, `requestPasswordReset` and `resetPassword` may be sent",
        None,
    );
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", ErrorCode::Unauthenticated.as_str());
    e.extensions = Some(ext);
    Err(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn refused(q: &str) -> bool {
        check(&parse_query(q).unwrap()).is_err()
    }

    #[test]
    fn only_the_sign_in_operations_pass() {
        assert!(!refused("{ __typename }"));
        assert!(!refused(
            "mutation { login(email: \"a\", password: \"b\") { token } }"
        ));
        assert!(!refused(
            "mutation($t: String!) { resetPassword(token: $t, password: \"x\") { token } __typename }"
        ));
        // Right guesses and wrong guesses alike.
        assert!(refused("{ cases { totalCount } }"));
        assert!(refused("{ noSuchField }"));
        assert!(refused("{ login }"));
        assert!(refused("mutation { createCase(input: {}) { id } }"));
        assert!(refused(
            "{ ...F } fragment F on Query { cases { totalCount } }"
        ));
        assert!(refused("{ ... on Query { __typename } }"));
        assert!(refused("subscription { notificationAdded { id } }"));
        assert!(refused(
            "mutation A { login(email: \"a\", password: \"b\") { token } } query B { me { id } }"
        ));
    }
}
