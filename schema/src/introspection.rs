//! Reading the schema needs a signed-in principal: the staff schema names every custom field
//! with its help text, which is the business's own data model. `__typename` stays available
//! to everyone (it tells nothing about the schema).

use async_graphql::ServerError;
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use portico_engine::error::ErrorCode;

fn introspects(set: &SelectionSet) -> bool {
    set.items.iter().any(|item| match &item.node {
        Selection::Field(f) => {
            let name = f.node.name.node.as_str();
            name == "__schema" || name == "__type" || introspects(&f.node.selection_set.node)
        }
        Selection::InlineFragment(i) => introspects(&i.node.selection_set.node),
        Selection::FragmentSpread(_) => false,
    })
}

/// Refuses a document that reads the schema when nobody is signed in.
pub fn check(doc: &ExecutableDocument, anonymous: bool) -> Result<(), ServerError> {
    if !anonymous {
        return Ok(());
    }
    let asks = doc
        .operations
        .iter()
        .any(|(_, op)| introspects(&op.node.selection_set.node))
        || doc
            .fragments
            .values()
            .any(|f| introspects(&f.node.selection_set.node));
    if asks {
        let mut e = ServerError::new("sign in to read the schema", None);
        let mut ext = async_graphql::ErrorExtensionValues::default();
        ext.set("code", ErrorCode::Unauthenticated.as_str());
        e.extensions = Some(ext);
        return Err(e);
    }
    Ok(())
}
