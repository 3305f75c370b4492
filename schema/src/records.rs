//! The record types (Contact, Case, Deal) generated from the metadata: objects, inputs,
//! filters, orderings, enums, and their queries and mutations.

use crate::args::{engine_err, id_arg, loaders, portal, staff};
use crate::connection::{self, Connection, sync_field};
use crate::error::invalid;
use crate::names;
use crate::scalars::{DATE, DATE_TIME};
use crate::values::{filter_input, from_input, to_output, type_name};
use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ObjectAccessor,
    ResolverContext, TypeRef,
};
use async_graphql::{Result, Value};
use portico_engine::identity::{Action, Object as Permission};
use portico_engine::metadata::{Audience, Catalog, EntityKind, FieldDefinition, ValueKind};
use portico_engine::records::{Condition, Direction, ListQuery, Op, Record, Sort};
use serde_json::{Map, Value as Json};
use std::sync::Arc;

/// The entities that have records (contacts, cases, deals).
pub const RECORD_ENTITIES: [EntityKind; 3] =
    [EntityKind::Contact, EntityKind::Case, EntityKind::Deal];

/// The names of one record type's types and root fields, for clients that build requests
/// (the staff UI): they read them here instead of spelling them.
pub fn record_type_object() -> Object {
    let name = |n: &'static str, get: fn(EntityKind) -> String| {
        sync_field::<EntityKind>(n, TypeRef::named_nn(TypeRef::STRING), move |e| {
            Some(FieldValue::value(get(*e)))
        })
    };
    Object::new("RecordType")
        .description("One record type's GraphQL names.")
        .field(sync_field::<EntityKind>(
            "entity",
            TypeRef::named_nn("EntityKind"),
            |e| {
                Some(FieldValue::value(Value::Enum(async_graphql::Name::new(
                    e.as_str(),
                ))))
            },
        ))
        .field(name("typeName", |e| e.type_name().into()))
        .field(name("one", |e| names::one(e).into()))
        .field(name("many", |e| names::many(e).into()))
        .field(name("create", names::create))
        .field(name("update", names::update))
        .field(name("delete", names::delete))
        .field(name("createInput", names::create_input))
        .field(name("updateInput", names::update_input))
        .field(name("filter", names::record_filter))
        .field(name("orderBy", names::order_by))
}

pub fn record_types_field() -> Field {
    Field::new(
        "recordTypes",
        TypeRef::named_nn_list_nn("RecordType"),
        |ctx| {
            FieldFuture::new(async move {
                staff(&ctx)?;
                Ok(Some(FieldValue::list(
                    RECORD_ENTITIES.into_iter().map(FieldValue::owned_any),
                )))
            })
        },
    )
    .description("The GraphQL names of each record type (contacts, cases, deals).")
}

/// The shared scalar filter inputs: `StringFilter`, `IntFilter`... (one for references).
pub fn scalar_filters() -> Vec<InputObject> {
    [
        (ValueKind::Text, TypeRef::STRING),
        (ValueKind::Integer, TypeRef::INT),
        (ValueKind::Decimal, TypeRef::FLOAT),
        (ValueKind::Boolean, TypeRef::BOOLEAN),
        (ValueKind::Date, DATE),
        (ValueKind::DateTime, DATE_TIME),
        (ValueKind::Contact, TypeRef::ID),
    ]
    .into_iter()
    .map(|(kind, ty)| operator_input(names::scalar_filter(kind), ty, kind))
    .collect()
}

/// A filter input with the operators `kind` offers (the engine's list, which the staff UI
/// reads too), each taking a `ty` (a list of them for `in`).
fn operator_input(name: &str, ty: &str, kind: ValueKind) -> InputObject {
    let mut input = InputObject::new(name).description(
        "Conditions on one field; all given conditions must hold. `isNull: true` matches empty values.",
    );
    for op in kind.operators() {
        let field = match *op {
            "in" => InputValue::new("in", TypeRef::named_nn_list(ty)),
            "isNull" => InputValue::new("isNull", TypeRef::named(TypeRef::BOOLEAN)),
            "contains" if kind == ValueKind::Options => {
                InputValue::new("contains", TypeRef::named(ty))
                    .description("The value includes this option.")
            }
            "contains" => InputValue::new("contains", TypeRef::named(TypeRef::STRING))
                .description("Case-insensitive substring."),
            other => InputValue::new(other, TypeRef::named(ty)),
        };
        input = input.field(field);
    }
    input
}

fn filter_type(def: &FieldDefinition) -> String {
    match def.field_type.spec().value {
        ValueKind::Option | ValueKind::Options => names::option_filter(def.entity, &def.key),
        other => names::scalar_filter(other).into(),
    }
}

/// Everything generated for one entity, to be registered on the schema.
pub struct EntityTypes {
    pub objects: Vec<Object>,
    pub inputs: Vec<InputObject>,
    pub enums: Vec<Enum>,
    pub queries: Vec<Field>,
    pub mutations: Vec<Field>,
}

fn field_type_ref(def: &FieldDefinition, input: bool, non_null: bool) -> TypeRef {
    let name = type_name(def, input);
    match (def.field_type.spec().value == ValueKind::Options, non_null) {
        (true, true) => TypeRef::named_nn_list_nn(name),
        (true, false) => TypeRef::named_nn_list(name),
        (false, true) => TypeRef::named_nn(name),
        (false, false) => TypeRef::named(name),
    }
}

fn describe(def: &FieldDefinition) -> String {
    let mut s = def.label.clone();
    if let Some(h) = &def.help {
        s.push_str(". ");
        s.push_str(h);
    }
    s
}

fn record_field(def: Arc<FieldDefinition>, audience: Audience) -> Field {
    // A required field may still be empty on records stored before it became required.
    let ty = field_type_ref(&def, false, false);
    let description = describe(&def);
    if !def.field_type.is_reference() {
        // An empty value is no value at all: async-graphql takes a null *value* for an enum
        // as an invalid item, so an empty select must answer `None`.
        return sync_field::<Record>(def.key.clone(), ty, move |r| {
            match to_output(&def, r.get(&def.key)) {
                async_graphql::Value::Null => None,
                v => Some(FieldValue::value(v)),
            }
        })
        .description(description);
    }
    Field::new(def.key.clone(), ty, move |ctx| {
        let def = def.clone();
        FieldFuture::new(async move {
            let record = ctx.parent_value.try_downcast_ref::<Record>()?;
            let Some(id) = record.reference(&def.key) else {
                return Ok(None);
            };
            // Staff pages load what their rows point to in one query per field.
            let found = match (
                def.field_type.spec().value == ValueKind::StaffUser,
                audience,
            ) {
                (true, Audience::Staff) => {
                    let user = loaders(&ctx)?.users.load(id).await?;
                    return Ok(user.map(FieldValue::owned_any));
                }
                (true, Audience::Portal) => portal(&ctx)?
                    .staff_user(id)
                    .await
                    .map(FieldValue::owned_any),
                (false, Audience::Staff) => {
                    // Only the id asked for (`client { id }`): it is the row's own column, and
                    // the contact exists (the key restricts its deletion). No second query.
                    let only_id = ctx
                        .field()
                        .selection_set()
                        .all(|f| matches!(f.name(), "id" | "__typename"));
                    if only_id && staff(&ctx)?.allows(Permission::Contact, Action::Read) {
                        return Ok(Some(FieldValue::owned_any(Record {
                            entity: EntityKind::Contact,
                            id,
                            created_at: 0,
                            updated_at: 0,
                            values: Map::new(),
                        })));
                    }
                    let contact = loaders(&ctx)?.contacts.load(id).await?;
                    return Ok(contact.map(FieldValue::owned_any));
                }
                (false, Audience::Portal) => {
                    portal(&ctx)?.contact(id).await.map(FieldValue::owned_any)
                }
            };
            match found {
                Ok(v) => Ok(Some(v)),
                // A reference to a record that is gone reads as empty.
                Err(portico_engine::EngineError::NotFound { .. }) => Ok(None),
                Err(e) => Err(engine_err(e)),
            }
        })
    })
    .description(description)
}

fn timestamp_field(name: &'static str, created: bool) -> Field {
    sync_field::<Record>(name, TypeRef::named_nn(DATE_TIME), move |r| {
        let t = if created { r.created_at } else { r.updated_at };
        Some(FieldValue::value(portico_engine::micros_to_rfc3339(t)))
    })
}

pub fn id_field() -> Field {
    sync_field::<Record>("id", TypeRef::named_nn(TypeRef::ID), |r| {
        Some(FieldValue::value(r.id.to_string()))
    })
}

/// The record object with only its common and metadata-driven fields; other modules add
/// relation fields (`Case.contacts`...).
pub fn record_object(catalog: &Catalog, entity: EntityKind, audience: Audience) -> Object {
    let mut object = Object::new(entity.type_name())
        .field(id_field())
        .field(timestamp_field("createdAt", true))
        .field(timestamp_field("updatedAt", false));
    for def in catalog.entity(entity).visible(audience) {
        object = object.field(record_field(Arc::new(def.clone()), audience));
    }
    object
}

pub fn enums(
    catalog: &Catalog,
    entity: EntityKind,
    audience: Audience,
) -> (Vec<Enum>, Vec<InputObject>) {
    let mut enums = Vec::new();
    let mut filters = Vec::new();
    for def in catalog.entity(entity).visible(audience) {
        if !def.field_type.has_options() {
            continue;
        }
        let name = names::option_enum(entity, &def.key);
        let items: Vec<String> = def
            .options
            .iter()
            .map(|o| portico_engine::metadata::enum_value_name(o))
            .collect();
        enums.push(
            Enum::new(&name)
                .description(format!("Options of {}.{}", entity.type_name(), def.key))
                .items(items),
        );
        filters.push(operator_input(
            &names::option_filter(entity, &def.key),
            &name,
            def.field_type.spec().value,
        ));
    }
    (enums, filters)
}

/// `Create<Type>Input`: the fields `audience` may set.
pub fn create_input(catalog: &Catalog, entity: EntityKind, audience: Audience) -> InputObject {
    let mut create = InputObject::new(names::create_input(entity));
    for def in catalog
        .entity(entity)
        .fields
        .iter()
        .filter(|d| d.editable_by(audience))
    {
        // A field with a default option may be left out: the engine fills it in.
        let required = def.required && def.default_option.is_none();
        create = create.field(
            InputValue::new(&def.key, field_type_ref(def, true, required))
                .description(describe(def)),
        );
    }
    create
}

fn inputs(catalog: &Catalog, entity: EntityKind, audience: Audience) -> Vec<InputObject> {
    let create = create_input(catalog, entity, audience);
    let mut update = InputObject::new(names::update_input(entity))
        .description("Only the fields given are changed; null clears a field.");
    for def in catalog
        .entity(entity)
        .fields
        .iter()
        .filter(|d| d.editable_by(audience))
    {
        update = update.field(
            InputValue::new(&def.key, field_type_ref(def, true, false)).description(describe(def)),
        );
    }
    let mut filter = InputObject::new(names::record_filter(entity))
        .description("One operator object per field; all must hold.")
        .field(InputValue::new("id", TypeRef::named(names::ID_FILTER)))
        .field(InputValue::new(
            "createdAt",
            TypeRef::named(names::scalar_filter(ValueKind::DateTime)),
        ))
        .field(InputValue::new(
            "updatedAt",
            TypeRef::named(names::scalar_filter(ValueKind::DateTime)),
        ));
    for def in catalog.entity(entity).visible(audience) {
        filter = filter.field(InputValue::new(&def.key, TypeRef::named(filter_type(def))));
    }
    let order = InputObject::new(names::order_by(entity))
        .field(InputValue::new("field", TypeRef::named_nn(TypeRef::STRING)).description(
            "A field key (`createdAt`, `subject`, a custom field...); multiselects cannot be ordered by.",
        ))
        .field(InputValue::new("direction", TypeRef::named_nn("SortDirection")).default_value(Value::Enum(async_graphql::Name::new("ASC"))));
    vec![create, update, filter, order]
}

/// Reads a create or update input into field values for the engine.
pub fn input_values(
    catalog: &Catalog,
    entity: EntityKind,
    input: &ObjectAccessor<'_>,
) -> Result<Map<String, Json>> {
    let meta = catalog.entity(entity);
    let mut values = Map::new();
    for (name, value) in input.iter() {
        let def = meta
            .field(name.as_str())
            .ok_or_else(|| invalid(name.as_str(), "is not a field"))?;
        values.insert(name.to_string(), from_input(def, value.as_value())?);
    }
    Ok(values)
}

fn parse_op(name: &str) -> Option<Op> {
    Some(match name {
        "eq" => Op::Eq,
        "ne" => Op::Ne,
        "in" => Op::In,
        "lt" => Op::Lt,
        "lte" => Op::Lte,
        "gt" => Op::Gt,
        "gte" => Op::Gte,
        "contains" => Op::Contains,
        "isNull" => Op::IsNull,
        _ => return None,
    })
}

pub fn conditions(
    catalog: &Catalog,
    entity: EntityKind,
    filter: Option<ObjectAccessor<'_>>,
) -> Result<Vec<Condition>> {
    let Some(filter) = filter else {
        return Ok(Vec::new());
    };
    let meta = catalog.entity(entity);
    let mut out = Vec::new();
    for (key, ops) in filter.iter() {
        if ops.is_null() {
            continue;
        }
        let def = meta.field(key.as_str());
        for (op_name, value) in ops.object()?.iter() {
            if value.is_null() {
                continue;
            }
            let op = parse_op(op_name.as_str())
                .ok_or_else(|| invalid(key.as_str(), "unknown operator"))?;
            let value = if op == Op::IsNull {
                Json::Bool(value.boolean()?)
            } else {
                filter_input(def, key.as_str(), value.as_value())?
            };
            out.push(Condition {
                key: key.to_string(),
                op,
                value,
            });
        }
    }
    Ok(out)
}

pub fn sorts(
    catalog: &Catalog,
    entity: EntityKind,
    audience: Audience,
    ctx: &ResolverContext<'_>,
) -> Result<Vec<Sort>> {
    let Some(list) = ctx.args.get("orderBy").filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let meta = catalog.entity(entity);
    let mut out = Vec::new();
    for item in list.list()?.iter() {
        let o = item.object()?;
        let key = o.try_get("field")?.string()?.to_owned();
        let known = matches!(key.as_str(), "id" | "createdAt" | "updatedAt")
            || meta.field(&key).is_some_and(|d| d.visible_to(audience));
        if !known {
            return Err(invalid(
                "orderBy",
                format!("`{key}` is not a field of {}", entity.type_name()),
            ));
        }
        let direction = match o.get("direction").map(|d| d.enum_name().map(str::to_owned)) {
            Some(Ok(d)) if d == "DESC" => Direction::Desc,
            _ => Direction::Asc,
        };
        out.push(Sort { key, direction });
    }
    Ok(out)
}

pub fn page_size(ctx: &ResolverContext<'_>) -> Result<Option<u64>> {
    match ctx.args.get("first") {
        Some(v) if !v.is_null() => {
            let n = v.i64()?;
            if !(0..=crate::MAX_PAGE_SIZE as i64).contains(&n) {
                return Err(invalid(
                    "first",
                    format!("must be between 0 and {}", crate::MAX_PAGE_SIZE),
                ));
            }
            Ok(Some(n as u64))
        }
        _ => Ok(None),
    }
}

/// Whether a list's nodes ask for any custom field: if not, the engine leaves the JSON column
/// unread and unparsed.
pub fn selects_custom(catalog: &Catalog, entity: EntityKind, ctx: &ResolverContext<'_>) -> bool {
    let node = ctx.look_ahead().field("edges").field("node");
    catalog.entity(entity).fields.iter().any(|f| {
        portico_engine::records::stored_in_custom(entity, &f.key) && node.field(&f.key).exists()
    })
}

fn list_field(catalog: Arc<Catalog>, entity: EntityKind, plural: &str) -> Field {
    Field::new(
        plural,
        TypeRef::named_nn(names::connection(entity.type_name())),
        move |ctx| {
            let catalog = catalog.clone();
            FieldFuture::new(async move {
                let mut conditions = conditions(
                    &catalog,
                    entity,
                    ctx.args
                        .get("filter")
                        .filter(|f| !f.is_null())
                        .map(|f| f.object())
                        .transpose()?,
                )?;
                conditions.extend(crate::args::search_condition(&ctx.args)?);
                let without_custom = !selects_custom(&catalog, entity, &ctx);
                let query = ListQuery {
                    conditions: conditions.clone(),
                    sort: sorts(&catalog, entity, Audience::Staff, &ctx)?,
                    first: page_size(&ctx)?,
                    after: crate::args::opt_string(&ctx.args, "after")?,
                    without_custom,
                };
                let page = staff(&ctx)?
                    .list(entity, &query)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(Connection::new(
                    entity, page, conditions,
                ))))
            })
        },
    )
    .argument(
        InputValue::new("first", TypeRef::named(TypeRef::INT))
            .description("Page size, at most 100; 20 when left out."),
    )
    .argument(
        InputValue::new("after", TypeRef::named(TypeRef::STRING))
            .description("The `endCursor` of the previous page."),
    )
    .argument(InputValue::new(
        "filter",
        TypeRef::named(names::record_filter(entity)),
    ))
    .argument(crate::args::search_argument())
    .argument(
        InputValue::new("orderBy", TypeRef::named_nn_list(names::order_by(entity)))
            .description("Newest first when left out."),
    )
}

fn get_field(entity: EntityKind, singular: &str) -> Field {
    Field::new(singular, TypeRef::named(entity.type_name()), move |ctx| {
        FieldFuture::new(async move {
            let id = id_arg(&ctx.args, "id")?;
            let r = staff(&ctx)?.get(entity, id).await.map_err(engine_err)?;
            Ok(Some(FieldValue::owned_any(r)))
        })
    })
    .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
}

fn mutations(catalog: Arc<Catalog>, entity: EntityKind) -> Vec<Field> {
    let t = entity.type_name();
    let c1 = catalog.clone();
    let create = Field::new(names::create(entity), TypeRef::named_nn(t), move |ctx| {
        let catalog = c1.clone();
        FieldFuture::new(async move {
            let values = input_values(&catalog, entity, &ctx.args.try_get("input")?.object()?)?;
            let send = crate::portal_access::send_invitation_arg(&ctx)?;
            let r = staff(&ctx)?
                .create_with(entity, values, send)
                .await
                .map_err(engine_err)?;
            Ok(Some(FieldValue::owned_any(r)))
        })
    })
    .argument(InputValue::new(
        "input",
        TypeRef::named_nn(names::create_input(entity)),
    ));
    let c2 = catalog.clone();
    let update = Field::new(names::update(entity), TypeRef::named_nn(t), move |ctx| {
        let catalog = c2.clone();
        FieldFuture::new(async move {
            let id = id_arg(&ctx.args, "id")?;
            let values = input_values(&catalog, entity, &ctx.args.try_get("input")?.object()?)?;
            let send = crate::portal_access::send_invitation_arg(&ctx)?;
            let r = staff(&ctx)?
                .update_with(entity, id, values, send)
                .await
                .map_err(engine_err)?;
            Ok(Some(FieldValue::owned_any(r)))
        })
    })
    .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
    .argument(InputValue::new(
        "input",
        TypeRef::named_nn(names::update_input(entity)),
    ));
    let (create, update) = if entity == EntityKind::Contact {
        (
            create.argument(crate::portal_access::send_invitation_input()),
            update.argument(crate::portal_access::send_invitation_input()),
        )
    } else {
        (create, update)
    };
    let delete = Field::new(
        names::delete(entity),
        TypeRef::named_nn(TypeRef::BOOLEAN),
        move |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                staff(&ctx)?.delete(entity, id).await.map_err(engine_err)?;
                Ok(Some(Value::from(true)))
            })
        },
    )
    .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)));
    vec![create, update, delete]
}

pub fn staff_types(
    catalog: &Arc<Catalog>,
    entity: EntityKind,
    singular: &str,
    plural: &str,
) -> EntityTypes {
    let (connection, edge) = connection::types(entity.type_name());
    let (enums, enum_filters) = enums(catalog, entity, Audience::Staff);
    let mut inputs = inputs(catalog, entity, Audience::Staff);
    inputs.extend(enum_filters);
    EntityTypes {
        objects: vec![connection, edge],
        inputs,
        enums,
        queries: vec![
            list_field(catalog.clone(), entity, plural),
            get_field(entity, singular),
        ],
        mutations: mutations(catalog.clone(), entity),
    }
}
