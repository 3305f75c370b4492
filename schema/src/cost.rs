//! What a request may cost, decided from its document before anything runs.
//!
//! async-graphql's own complexity counts every field once, so `cases(first: 100)` cost the
//! same as `cases(first: 1)`, and a dynamic schema cannot declare per-field costs. This
//! extension walks the parsed document against the schema's registry instead: a field costs
//! one plus what it selects, times the number of rows it may return (its `first`, else the
//! declared default of `first`, else an estimate for a plain list). A document over
//! [`MAX_COST`] or with more than [`MAX_ALIASES`] aliases is refused before it runs.
//!
//! The server calls [`crate::check_request`] with the parsed document it keeps anyway; an
//! async-graphql extension would do the same but wrap every field's resolution in hooks.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::registry::{MetaType, Registry};
use async_graphql::{ServerError, ServerResult, Value, Variables};
use portico_engine::error::ErrorCode;

/// The most a request may cost. A page of 100 cases with twenty fields and a nested list costs
/// a few thousand; thousands of rows fetched in one request cost far more.
pub const MAX_COST: u64 = 20_000;
/// The most aliases a request may use: enough for any screen, too few to multiply one
/// expensive field into a flood.
pub const MAX_ALIASES: usize = 50;
/// The rows assumed for a list that takes no `first` (a case's documents or contacts).
const LIST_ESTIMATE: u64 = 10;
/// The largest page any list serves; a larger `first` is refused by the resolvers.
const MAX_PAGE: u64 = 100;
/// The page a connection serves when `first` is not given (the engine's default).
const DEFAULT_PAGE: u64 = 20;
/// How deep fragment spreads are followed (validation rejects cycles later; this only keeps
/// the walk finite before it does).
const MAX_SPREAD_DEPTH: usize = 32;

fn refusal(message: String, cost: Option<u64>) -> ServerError {
    let mut e = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", ErrorCode::Validation.as_str());
    ext.set("field", "query");
    if let Some(c) = cost {
        ext.set("cost", c);
        ext.set("maxCost", MAX_COST);
    }
    e.extensions = Some(ext);
    e
}

/// Refuses a document whose most expensive operation costs over [`MAX_COST`], or that uses
/// more than [`MAX_ALIASES`] aliases.
pub fn check(
    registry: &Registry,
    doc: &ExecutableDocument,
    variables: &Variables,
) -> ServerResult<()> {
    let mut aliases = 0;
    let mut cost = 0;
    let operations: Vec<_> = match &doc.operations {
        DocumentOperations::Single(op) => vec![&op.node],
        DocumentOperations::Multiple(ops) => ops.values().map(|op| &op.node).collect(),
    };
    for op in operations {
        let root = match op.ty {
            OperationType::Query => Some(registry.query_type.as_str()),
            OperationType::Mutation => registry.mutation_type.as_deref(),
            OperationType::Subscription => registry.subscription_type.as_deref(),
        };
        count_aliases(&op.selection_set.node, &mut aliases);
        let walk = Walk {
            registry,
            doc,
            variables: with_defaults(variables, &op.variable_definitions),
        };
        cost = cost.max(walk.selection_set(&op.selection_set.node, root, 0));
    }
    for fragment in doc.fragments.values() {
        count_aliases(&fragment.node.selection_set.node, &mut aliases);
    }
    if aliases > MAX_ALIASES {
        return Err(refusal(
            format!("the request uses {aliases} aliases; at most {MAX_ALIASES} are allowed"),
            None,
        ));
    }
    if cost > MAX_COST {
        return Err(refusal(
            format!(
                "the request would cost {cost}, over the limit of {MAX_COST}: ask for smaller pages (`first`) or fewer nested lists, and page through the rest"
            ),
            Some(cost),
        ));
    }
    Ok(())
}

fn count_aliases(set: &SelectionSet, aliases: &mut usize) {
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                if f.node.alias.is_some() {
                    *aliases += 1;
                }
                count_aliases(&f.node.selection_set.node, aliases);
            }
            Selection::InlineFragment(i) => count_aliases(&i.node.selection_set.node, aliases),
            Selection::FragmentSpread(_) => {}
        }
    }
}

struct Walk<'a> {
    registry: &'a Registry,
    doc: &'a ExecutableDocument,
    /// The variables as the operation will see them: given values, else declared defaults.
    variables: Variables,
}

/// The request's variables with each missing one set to its declared default, as execution
/// will set them: `query($f: Int = 100) { cases(first: $f) ... }` sent without `f` fetches 100
/// rows, and must be priced so (a second security review had it priced at the default page).
fn with_defaults(
    given: &Variables,
    definitions: &[async_graphql::Positioned<async_graphql::parser::types::VariableDefinition>],
) -> Variables {
    let mut variables = given.clone();
    for def in definitions {
        let def = &def.node;
        if !variables.contains_key(&def.name.node)
            && let Some(default) = &def.default_value
        {
            variables.insert(def.name.node.clone(), default.node.clone());
        }
    }
    variables
}

/// The named type inside `[Foo!]!`, and whether it is a list.
fn unwrap(ty: &str) -> (&str, bool) {
    (
        ty.trim_matches(|c| c == '[' || c == ']' || c == '!'),
        ty.contains('['),
    )
}

impl Walk<'_> {
    fn selection_set(&self, set: &SelectionSet, parent: Option<&str>, depth: usize) -> u64 {
        let mut total: u64 = 0;
        for item in &set.items {
            let c = match &item.node {
                Selection::Field(f) => self.field(&f.node, parent, depth),
                Selection::InlineFragment(i) => {
                    let ty = i
                        .node
                        .type_condition
                        .as_ref()
                        .map(|t| t.node.on.node.as_str())
                        .or(parent);
                    self.selection_set(&i.node.selection_set.node, ty, depth)
                }
                Selection::FragmentSpread(s) => {
                    if depth >= MAX_SPREAD_DEPTH {
                        continue;
                    }
                    match self.doc.fragments.get(&s.node.fragment_name.node) {
                        Some(fragment) => {
                            let ty = fragment.node.type_condition.node.on.node.as_str();
                            self.selection_set(
                                &fragment.node.selection_set.node,
                                Some(ty),
                                depth + 1,
                            )
                        }
                        None => 0,
                    }
                }
            };
            total = total.saturating_add(c);
        }
        total
    }

    fn field(
        &self,
        f: &async_graphql::parser::types::Field,
        parent: Option<&str>,
        depth: usize,
    ) -> u64 {
        let name = f.name.node.as_str();
        if name.starts_with("__") {
            // Introspection is answered from memory; it costs no database work.
            return 1;
        }
        let meta = parent
            .and_then(|p| self.registry.types.get(p))
            .and_then(|t| match t {
                MetaType::Object { fields, .. } | MetaType::Interface { fields, .. } => {
                    fields.get(name)
                }
                _ => None,
            });
        let Some(meta) = meta else {
            return 1;
        };
        let (ty, is_list) = unwrap(&meta.ty);
        let rows = if meta.args.contains_key("first") {
            self.first(f).unwrap_or_else(|| {
                meta.args
                    .get("first")
                    .and_then(|a| a.default_value.as_deref())
                    .and_then(|d| d.parse::<u64>().ok())
                    .unwrap_or(DEFAULT_PAGE)
            })
        } else if is_list && !connection_edges(parent, name) {
            LIST_ESTIMATE
        } else {
            1
        };
        let inner = self.selection_set(&f.selection_set.node, Some(ty), depth + 1);
        1u64.saturating_add(rows.clamp(1, MAX_PAGE).saturating_mul(inner))
    }

    /// The `first` argument as given, literally or through a variable.
    fn first(&self, f: &async_graphql::parser::types::Field) -> Option<u64> {
        let (_, value) = f.arguments.iter().find(|(n, _)| n.node == "first")?;
        let value = value
            .node
            .clone()
            .into_const_with(|name| self.variables.get(&name).cloned().ok_or(()))
            .ok()?;
        match value {
            Value::Number(n) => n.as_u64(),
            _ => None,
        }
    }
}

/// A connection's `edges` and `nodes` are the page its field was already multiplied by.
fn connection_edges(parent: Option<&str>, name: &str) -> bool {
    parent.is_some_and(|p| p.ends_with("Connection")) && (name == "edges" || name == "nodes")
}
