//! The metadata API: reading and changing field definitions.

use crate::args::{engine_err, nullable_string, opt_bool, opt_i32, opt_string, staff, string};
use crate::error::invalid;
use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ObjectAccessor, TypeRef,
};
use async_graphql::{Name, Result, Value};
use portico_engine::metadata::{
    DefinitionChange, EntityKind, FieldDefinition, FieldType, NewDefinition, Translations,
};

pub fn enums() -> Vec<Enum> {
    vec![
        Enum::new("EntityKind").items(EntityKind::ALL.map(|e| e.as_str())),
        Enum::new("FieldType").items(FieldType::ALL.map(|t| t.as_str())),
        Enum::new("SortDirection").items(["ASC", "DESC"]),
    ]
}

fn entity_arg(
    v: Option<async_graphql::dynamic::ValueAccessor<'_>>,
    field: &str,
) -> Result<EntityKind> {
    let name = v
        .ok_or_else(|| invalid(field, "is required"))?
        .enum_name()?
        .to_owned();
    EntityKind::parse(&name).ok_or_else(|| invalid(field, format!("`{name}` is not an entity")))
}

fn def_field(name: &'static str, ty: TypeRef, get: fn(&FieldDefinition) -> Value) -> Field {
    Field::new(name, ty, move |ctx| {
        FieldFuture::new(async move {
            let d = ctx.parent_value.try_downcast_ref::<FieldDefinition>()?;
            Ok(Some(get(d)))
        })
    })
}

/// One option of a select field and how many records hold it.
pub struct OptionUsage {
    pub option: String,
    pub count: i64,
}

pub fn option_usage_object() -> Object {
    Object::new("FieldOptionUsage")
        .description("An option of a SELECT or MULTISELECT field and how many records hold it.")
        .field(crate::connection::sync_field::<OptionUsage>(
            "option",
            TypeRef::named_nn(TypeRef::STRING),
            |u| Some(FieldValue::value(u.option.clone())),
        ))
        .field(crate::connection::sync_field::<OptionUsage>(
            "count",
            TypeRef::named_nn(TypeRef::INT),
            |u| Some(FieldValue::value(u.count)),
        ))
}

/// What the staff UI needs to know of a field type to edit and show it (the server decides;
/// the UI computes none of it).
pub fn field_type_object() -> Object {
    use TypeRef as T;
    let field = |name: &'static str, ty: TypeRef, get: fn(FieldType) -> Value| {
        crate::connection::sync_field::<FieldType>(name, ty, move |t| {
            Some(FieldValue::value(get(*t)))
        })
    };
    Object::new("FieldTypeInfo")
        .description("One field type: what its values are, how they are typed in and filtered.")
        .field(field("type", T::named_nn("FieldType"), |t| {
            Value::Enum(Name::new(t.as_str()))
        }))
        .field(
            field("value", T::named_nn(T::STRING), |t| {
                Value::from(t.spec().value.as_str())
            })
            .description("What a value is: TEXT, INTEGER, DECIMAL, BOOLEAN, DATE, DATE_TIME, OPTION, OPTIONS, STAFF_USER or CONTACT."),
        )
        .field(
            field("input", T::named_nn(T::STRING), |t| {
                Value::from(t.spec().input.as_str())
            })
            .description("How a person types one: an HTML input type (`text`, `email`, `date`...) or `textarea`, `decimal`, `select`, `checkboxes`, `user`, `contact`."),
        )
        .field(
            field("operators", T::named_nn_list_nn(T::STRING), |t| {
                Value::List(t.spec().value.operators().iter().map(|o| Value::from(*o)).collect())
            })
            .description("The operators its filter input offers, in the order lists show them."),
        )
        .field(field("sortable", T::named_nn(T::BOOLEAN), |t| {
            Value::from(t.spec().value.sortable())
        }))
        .field(field("hasOptions", T::named_nn(T::BOOLEAN), |t| {
            Value::from(t.has_options())
        }))
        .field(
            field("portalInput", T::named_nn(T::BOOLEAN), |t| {
                Value::from(t.spec().portal_input)
            })
            .description("Whether clients can fill it in on the portal's forms."),
        )
}

/// `LocalizedText { es en }`: what an admin wrote for each language, null where they wrote
/// nothing (the field's `label` or `help` is shown then).
pub fn localized_text_object() -> Object {
    use crate::connection::sync_field;
    let lang = |name: &'static str, f: fn(&Translations) -> &Option<String>| {
        sync_field::<Translations>(name, TypeRef::named(TypeRef::STRING), move |t| {
            f(t).clone().map(FieldValue::value)
        })
    };
    Object::new("LocalizedText")
        .description("A text in Spanish and English; null where none was given (the default-language text is shown then).")
        .field(lang("es", |t| &t.es))
        .field(lang("en", |t| &t.en))
}

fn translations_field(name: &'static str, get: fn(&FieldDefinition) -> &Translations) -> Field {
    crate::connection::sync_field::<FieldDefinition>(
        name,
        TypeRef::named_nn("LocalizedText"),
        move |d| Some(FieldValue::borrowed_any(get(d))),
    )
}

/// `OptionLabel { option es en }`: an option's label in each language.
pub fn option_label_object() -> Object {
    use crate::connection::sync_field;
    type Entry = (String, Translations);
    Object::new("OptionLabel")
        .description("An option's label in Spanish and English; null where none was given (the option itself is shown then).")
        .field(sync_field::<Entry>("option", TypeRef::named_nn(TypeRef::STRING), |e| {
            Some(FieldValue::value(e.0.clone()))
        }))
        .field(sync_field::<Entry>("es", TypeRef::named(TypeRef::STRING), |e| {
            e.1.es.clone().map(FieldValue::value)
        }))
        .field(sync_field::<Entry>("en", TypeRef::named(TypeRef::STRING), |e| {
            e.1.en.clone().map(FieldValue::value)
        }))
}

/// The `optionLabels` argument: `[{option, es, en}]`.
fn option_labels_input(input: &ObjectAccessor<'_>) -> Result<Option<Vec<(String, Translations)>>> {
    match input.get("optionLabels") {
        Some(v) if !v.is_null() => {
            let mut out = Vec::new();
            for item in v.list()?.iter() {
                let o = item.object()?;
                out.push((
                    string(&o, "option")?,
                    Translations {
                        es: opt_string(&o, "es")?,
                        en: opt_string(&o, "en")?,
                    },
                ));
            }
            Ok(Some(out))
        }
        _ => Ok(None),
    }
}

/// A `LocalizedTextInput` argument: each language given is set (an empty text clears it).
fn translations_input(input: &ObjectAccessor<'_>, name: &str) -> Result<Option<Translations>> {
    match input.get(name) {
        Some(v) if !v.is_null() => {
            let o = v.object()?;
            Ok(Some(Translations {
                es: opt_string(&o, "es")?,
                en: opt_string(&o, "en")?,
            }))
        }
        _ => Ok(None),
    }
}

pub fn definition_object() -> Object {
    use TypeRef as T;
    let nn = |t: &str| T::named_nn(t);
    Object::new("FieldDefinition")
        .description(
            "One field of an entity: how it is typed, labelled, placed and shown on the portal.",
        )
        .field(def_field("id", nn(T::ID), |d| {
            Value::from(d.id.to_string())
        }))
        .field(def_field("entity", nn("EntityKind"), |d| {
            Value::Enum(Name::new(d.entity.as_str()))
        }))
        .field(def_field("key", nn(T::STRING), |d| {
            Value::from(d.key.clone())
        }))
        .field(def_field("label", nn(T::STRING), |d| {
            Value::from(d.label.clone())
        }))
        .field(def_field("type", nn("FieldType"), |d| {
            Value::Enum(Name::new(d.field_type.as_str()))
        }))
        .field(def_field("options", T::named_nn_list_nn(T::STRING), |d| {
            Value::List(d.options.iter().map(|o| Value::from(o.clone())).collect())
        }))
        .field(
            def_field("optionValues", T::named_nn_list_nn(T::STRING), |d| {
                Value::List(
                    d.options
                        .iter()
                        .map(|o| Value::from(portico_engine::metadata::enum_value_name(o)))
                        .collect(),
                )
            })
            .description("Each option's value in the field's GraphQL enum, in the order of `options` (\"In Progress\" is `IN_PROGRESS`, \"Sí\" `S_`, \"24h\" `_24H`): what clients send and read, so none has to work it out."),
        )
        .field(def_field("required", nn(T::BOOLEAN), |d| {
            Value::from(d.required)
        }))
        .field(def_field("active", nn(T::BOOLEAN), |d| {
            Value::from(d.active)
        }))
        .field(def_field("system", nn(T::BOOLEAN), |d| {
            Value::from(d.system)
        }))
        .field(def_field("block", nn(T::STRING), |d| {
            Value::from(d.block.clone())
        }))
        .field(def_field("position", nn(T::INT), |d| {
            Value::from(d.position)
        }))
        .field(def_field("help", T::named(T::STRING), |d| {
            d.help.clone().map_or(Value::Null, Value::from)
        }))
        .field(
            translations_field("labels", |d| &d.labels)
                .description("The label in each language; `label` is the default language's and what a language without its own falls back to."),
        )
        .field(
            translations_field("helps", |d| &d.helps)
                .description("The help text in each language, falling back to `help`."),
        )
        .field(
            crate::connection::sync_field::<FieldDefinition>(
                "optionLabels",
                T::named_nn_list_nn("OptionLabel"),
                |d| {
                    Some(FieldValue::list(d.option_labels.iter().map(|(o, t)| {
                        FieldValue::owned_any((o.clone(), t.clone()))
                    })))
                },
            )
            .description("The options' labels in each language, for the options that have any."),
        )
        .field(def_field("portalVisible", nn(T::BOOLEAN), |d| {
            Value::from(d.portal_visible)
        }))
        .field(def_field("portalEditable", nn(T::BOOLEAN), |d| {
            Value::from(d.portal_editable)
        }))
        .field(
            def_field("defaultOption", T::named(T::STRING), |d| {
                d.default_option.clone().map_or(Value::Null, Value::from)
            })
            .description("The option a new record takes when its create leaves the field out (a new case's status)."),
        )
        .field(
            def_field("closedOptions", T::named_nn_list_nn(T::STRING), |d| {
                Value::List(d.closed_options.iter().map(|o| Value::from(o.clone())).collect())
            })
            .description("The options that mean finished (a case's Closed, a deal's Won and Lost): the portal home's open cases and the indicators go by these, not by labels. Only a case's `status` and a deal's `stage` have them."),
        )
        .field(
            def_field("closable", nn(T::BOOLEAN), |d| Value::from(d.closable()))
                .description("Whether `closedOptions` may be set on this field."),
        )
        .field(
            def_field("optionsFixed", nn(T::BOOLEAN), |d| Value::from(d.options_fixed()))
                .description("Whether the options are Portico's own (a contact's `kind` and `language`), which no one renames, adds or removes."),
        )
}

pub fn inputs() -> Vec<InputObject> {
    use TypeRef as T;
    let common = |o: InputObject| {
        o.field(InputValue::new("label", T::named(T::STRING)))
            .field(InputValue::new("options", T::named_nn_list(T::STRING)))
            .field(InputValue::new("required", T::named(T::BOOLEAN)))
            .field(InputValue::new("block", T::named(T::STRING)))
            .field(InputValue::new("position", T::named(T::INT)))
            .field(InputValue::new("help", T::named(T::STRING)))
            .field(InputValue::new("portalVisible", T::named(T::BOOLEAN)))
            .field(InputValue::new("portalEditable", T::named(T::BOOLEAN)))
            .field(InputValue::new("defaultOption", T::named(T::STRING)))
            .field(InputValue::new("labels", T::named("LocalizedTextInput")))
            .field(InputValue::new("helps", T::named("LocalizedTextInput")))
            .field(InputValue::new(
                "optionLabels",
                T::named_nn_list("OptionLabelInput"),
            ))
    };
    vec![
        InputObject::new("OptionLabelInput")
            .description(
                "An option's label per language; an empty text removes that language's own label.",
            )
            .field(InputValue::new("option", T::named_nn(T::STRING)))
            .field(InputValue::new("es", T::named(T::STRING)))
            .field(InputValue::new("en", T::named(T::STRING))),
        InputObject::new("LocalizedTextInput")
            .description(
                "Each language given is set; an empty text removes that language's own text.",
            )
            .field(InputValue::new("es", T::named(T::STRING)))
            .field(InputValue::new("en", T::named(T::STRING))),
        common(
            InputObject::new("CreateFieldDefinitionInput")
                .field(InputValue::new("entity", T::named_nn("EntityKind")))
                .field(
                    InputValue::new("key", T::named_nn(T::STRING))
                        .description("camelCase, used as the GraphQL field name and JSON key."),
                )
                .field(InputValue::new("type", T::named_nn("FieldType"))),
        ),
        common(
            InputObject::new("UpdateFieldDefinitionInput")
                .field(InputValue::new("active", T::named(T::BOOLEAN)))
                .field(InputValue::new(
                    "closedOptions",
                    T::named_nn_list(T::STRING),
                )),
        ),
    ]
}

fn strings(input: &ObjectAccessor<'_>, name: &str) -> Result<Option<Vec<String>>> {
    match input.get(name) {
        Some(v) if !v.is_null() => Ok(Some(
            v.list()?
                .iter()
                .map(|o| o.string().map(str::to_owned))
                .collect::<Result<_>>()?,
        )),
        _ => Ok(None),
    }
}

pub fn query_fields() -> Vec<Field> {
    vec![
        Field::new(
            "fieldTypes",
            TypeRef::named_nn_list_nn("FieldTypeInfo"),
            |ctx| {
                FieldFuture::new(async move {
                    // Staff only, like the definitions themselves.
                    staff(&ctx)?;
                    Ok(Some(FieldValue::list(
                        FieldType::ALL.into_iter().map(FieldValue::owned_any),
                    )))
                })
            },
        )
        .description("Every field type, in the order the field editor offers them."),
        Field::new(
            "fieldDefinitions",
            TypeRef::named_nn_list_nn("FieldDefinition"),
            |ctx| {
                FieldFuture::new(async move {
                    let entity = entity_arg(ctx.args.get("entity"), "entity")?;
                    let inactive = opt_bool(&ctx.args, "includeInactive")?.unwrap_or(false);
                    let defs = staff(&ctx)?
                        .field_definitions(entity, inactive)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::list(
                        defs.into_iter().map(FieldValue::owned_any),
                    )))
                })
            },
        )
        .argument(InputValue::new("entity", TypeRef::named_nn("EntityKind")))
        .argument(
            InputValue::new("includeInactive", TypeRef::named(TypeRef::BOOLEAN))
                .default_value(false),
        ),
        Field::new(
            "fieldOptionUsage",
            TypeRef::named_nn_list_nn("FieldOptionUsage"),
            |ctx| {
                FieldFuture::new(async move {
                    let entity = entity_arg(ctx.args.get("entity"), "entity")?;
                    let key = string(&ctx.args, "key")?;
                    let usage = staff(&ctx)?
                        .field_option_usage(entity, &key)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::list(usage.into_iter().map(
                        |(option, count)| FieldValue::owned_any(OptionUsage { option, count }),
                    ))))
                })
            },
        )
        .description("How many records hold each option of a SELECT or MULTISELECT field.")
        .argument(InputValue::new("entity", TypeRef::named_nn("EntityKind")))
        .argument(InputValue::new("key", TypeRef::named_nn(TypeRef::STRING))),
    ]
}

pub fn mutation_fields() -> Vec<Field> {
    let create = Field::new(
        "createFieldDefinition",
        TypeRef::named_nn("FieldDefinition"),
        |ctx| {
            FieldFuture::new(async move {
                let input = ctx.args.try_get("input")?.object()?;
                let type_name = input.try_get("type")?.enum_name()?.to_owned();
                let new = NewDefinition {
                    entity: Some(entity_arg(input.get("entity"), "entity")?),
                    key: string(&input, "key")?,
                    label: opt_string(&input, "label")?.unwrap_or_default(),
                    field_type: FieldType::parse(&type_name),
                    options: strings(&input, "options")?.unwrap_or_default(),
                    required: opt_bool(&input, "required")?.unwrap_or(false),
                    block: opt_string(&input, "block")?,
                    position: opt_i32(&input, "position")?,
                    help: opt_string(&input, "help")?,
                    portal_visible: opt_bool(&input, "portalVisible")?.unwrap_or(false),
                    portal_editable: opt_bool(&input, "portalEditable")?.unwrap_or(false),
                    default_option: opt_string(&input, "defaultOption")?,
                    labels: translations_input(&input, "labels")?.unwrap_or_default(),
                    helps: translations_input(&input, "helps")?.unwrap_or_default(),
                    option_labels: option_labels_input(&input)?.unwrap_or_default(),
                };
                let d = staff(&ctx)?
                    .create_field_definition(new)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(d)))
            })
        },
    )
    .argument(InputValue::new(
        "input",
        TypeRef::named_nn("CreateFieldDefinitionInput"),
    ));
    let update = Field::new(
        "updateFieldDefinition",
        TypeRef::named_nn("FieldDefinition"),
        |ctx| {
            FieldFuture::new(async move {
                let entity = entity_arg(ctx.args.get("entity"), "entity")?;
                let key = string(&ctx.args, "key")?;
                let input = ctx.args.try_get("input")?.object()?;
                let change = DefinitionChange {
                    label: opt_string(&input, "label")?,
                    options: strings(&input, "options")?,
                    required: opt_bool(&input, "required")?,
                    active: opt_bool(&input, "active")?,
                    block: opt_string(&input, "block")?,
                    position: opt_i32(&input, "position")?,
                    help: nullable_string(&input, "help")?,
                    portal_visible: opt_bool(&input, "portalVisible")?,
                    portal_editable: opt_bool(&input, "portalEditable")?,
                    default_option: nullable_string(&input, "defaultOption")?,
                    closed_options: strings(&input, "closedOptions")?,
                    labels: translations_input(&input, "labels")?,
                    helps: translations_input(&input, "helps")?,
                    option_labels: option_labels_input(&input)?,
                };
                let d = staff(&ctx)?
                    .update_field_definition(entity, &key, change)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(d)))
            })
        },
    )
    .argument(InputValue::new("entity", TypeRef::named_nn("EntityKind")))
    .argument(InputValue::new("key", TypeRef::named_nn(TypeRef::STRING)))
    .argument(InputValue::new(
        "input",
        TypeRef::named_nn("UpdateFieldDefinitionInput"),
    ));
    let rename = Field::new(
        "renameFieldOption",
        TypeRef::named_nn("FieldDefinition"),
        |ctx| {
            FieldFuture::new(async move {
                let entity = entity_arg(ctx.args.get("entity"), "entity")?;
                let key = string(&ctx.args, "key")?;
                let from = string(&ctx.args, "from")?;
                let to = string(&ctx.args, "to")?;
                let d = staff(&ctx)?
                    .rename_field_option(entity, &key, &from, &to)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(d)))
            })
        },
    )
    .description("Renames an option of a SELECT or MULTISELECT field, and every record's value that holds it (admins only).")
    .argument(InputValue::new("entity", TypeRef::named_nn("EntityKind")))
    .argument(InputValue::new("key", TypeRef::named_nn(TypeRef::STRING)))
    .argument(InputValue::new("from", TypeRef::named_nn(TypeRef::STRING)))
    .argument(InputValue::new("to", TypeRef::named_nn(TypeRef::STRING)));
    vec![create, update, rename]
}
