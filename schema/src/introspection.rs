//! Reading the schema needs a signed-in principal: the staff schema names every custom field
//! with its help text, which is the business's own data model. `__typename` stays available
//! to everyone (it tells nothing about the schema).

use crate::{Caller, RequestInfo};
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ServerError, ServerResult, Variables};
use std::sync::Arc;

pub struct SignedInIntrospection;

impl ExtensionFactory for SignedInIntrospection {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SignedInIntrospection)
    }
}

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

#[async_graphql::async_trait::async_trait]
impl Extension for SignedInIntrospection {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let anonymous = ctx
            .data_opt::<RequestInfo>()
            .is_none_or(|info| matches!(info.caller, Caller::Anonymous));
        let asks = doc
            .operations
            .iter()
            .any(|(_, op)| introspects(&op.node.selection_set.node))
            || doc
                .fragments
                .values()
                .any(|f| introspects(&f.node.selection_set.node));
        if anonymous && asks {
            let mut e = ServerError::new("sign in to read the schema", None);
            let mut ext = async_graphql::ErrorExtensionValues::default();
            ext.set("code", "UNAUTHENTICATED");
            e.extensions = Some(ext);
            return Err(e);
        }
        Ok(doc)
    }
}
