//! What a multipart upload intends, read from its `operations` and `map` parts before any file
//! part: which operation will receive the files, where they would go, and how many there are.
//! The caller authorizes that before a single file byte is spooled to disk.

use async_graphql::parser::parse_query;
use async_graphql::parser::types::{DocumentOperations, Selection};
use async_graphql::{Value as GqlValue, Variables};
use portico_engine::documents::UploadTarget;
use serde_json::{Map, Value};

/// The fields of the two schemas that take files, and the argument naming their target
/// (none: the target is the field itself).
const UPLOAD_FIELDS: [(&str, Option<&str>); 5] = [
    ("uploadDocument", Some("caseId")),
    ("postCaseMessage", Some("caseId")),
    ("replaceDocumentContent", Some("id")),
    ("uploadBrandingLogo", None),
    ("verifySignedDocument", None),
];

#[derive(Debug, PartialEq, Eq)]
pub struct Plan {
    pub targets: Vec<UploadTarget>,
    pub files: usize,
}

/// Reads the plan, or says in words what is wrong with the request.
pub fn plan(operations: &[u8], map: &[u8]) -> Result<Plan, String> {
    let map: Map<String, Value> = serde_json::from_slice(map)
        .map_err(|_| "the `map` part must be a JSON object".to_owned())?;
    let ops: Map<String, Value> = serde_json::from_slice(operations).map_err(|_| {
        "the `operations` part must be one JSON object (batches take no files)".to_owned()
    })?;
    let query = ops
        .get("query")
        .and_then(Value::as_str)
        .ok_or_else(|| "`operations` has no `query`".to_owned())?;
    let variables = Variables::from_json(
        ops.get("variables")
            .cloned()
            .filter(Value::is_object)
            .unwrap_or_else(|| Value::Object(Map::new())),
    );
    let name = ops.get("operationName").and_then(Value::as_str);
    let doc = parse_query(query).map_err(|e| e.to_string())?;
    let op = match (&doc.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(n)) => ops.get(n),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        _ => None,
    }
    .ok_or_else(|| "name the operation to run (`operationName`)".to_owned())?;
    let mut targets = Vec::new();
    for item in &op.node.selection_set.node.items {
        let Selection::Field(field) = &item.node else {
            return Err("an upload runs its fields directly, without fragments".into());
        };
        let field = &field.node;
        let Some((_, arg)) = UPLOAD_FIELDS.iter().find(|(f, _)| field.name.node == *f) else {
            return Err(format!("`{}` takes no files", field.name.node));
        };
        let Some(arg) = arg else {
            targets.push(if field.name.node == "verifySignedDocument" {
                UploadTarget::SignatureCheck
            } else {
                UploadTarget::BrandingLogo
            });
            continue;
        };
        let value = field
            .arguments
            .iter()
            .find(|(n, _)| n.node == *arg)
            .map(|(_, v)| &v.node)
            .ok_or_else(|| format!("`{}` needs `{arg}`", field.name.node))?;
        let value = value
            .clone()
            .into_const_with(|name| variables.get(&name).cloned().ok_or(()))
            .unwrap_or(GqlValue::Null);
        let id = match &value {
            GqlValue::String(s) => s.trim().parse::<i64>().ok(),
            GqlValue::Number(n) => n.as_i64(),
            _ => None,
        }
        .ok_or_else(|| format!("`{arg}` must be an id"))?;
        targets.push(if *arg == "caseId" {
            UploadTarget::Case(id)
        } else {
            UploadTarget::Document(id)
        });
    }
    Ok(Plan {
        targets,
        files: map.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_names_each_target_and_counts_the_files() {
        let ops = br#"{"query":"mutation($c: ID!, $f: Upload!) { a: uploadDocument(caseId: $c, file: $f) { id } replaceDocumentContent(id: \"9\", file: $f) { id } }","variables":{"c":"42","f":null}}"#;
        let map = br#"{"0":["variables.f"],"1":["variables.f"]}"#;
        assert_eq!(
            plan(ops, map),
            Ok(Plan {
                targets: vec![UploadTarget::Case(42), UploadTarget::Document(9)],
                files: 2
            })
        );
        let other = br#"{"query":"mutation { createCase(input: {subject: \"x\"}) { id } }"}"#;
        assert!(plan(other, b"{}").unwrap_err().contains("createCase"));
        assert!(plan(b"[]", b"{}").is_err());
    }
}
