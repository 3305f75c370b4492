//! The admin's email templates: every email in every language, built in or overridden.

use crate::args::{engine_err, staff, string};
use crate::connection::sync_field;
use crate::scalars::DATE_TIME;
use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ResolverContext, TypeRef,
};
use async_graphql::{Name, Result, Value};
use portico_engine::mail::{EmailKind, EmailTemplate, RenderedMail, TemplateOverride};
use portico_engine::micros_to_rfc3339;

fn key_args(ctx: &ResolverContext<'_>) -> Result<(EmailKind, String)> {
    let arg = ctx.args.try_get("kind")?;
    let name = arg.enum_name()?;
    let kind = EmailKind::from_graphql_name(name)
        .ok_or_else(|| crate::error::invalid("kind", format!("no email `{name}`")))?;
    let language = ctx.args.try_get("language")?.enum_name()?.to_lowercase();
    Ok((kind, language))
}

/// The `input` argument: an email's three sources.
fn source_of(ctx: &ResolverContext<'_>) -> Result<TemplateOverride> {
    let input = ctx.args.try_get("input")?.object()?;
    Ok(TemplateOverride {
        subject: string(&input, "subject")?,
        html: string(&input, "html")?,
        text: string(&input, "text")?,
    })
}

pub fn enums() -> Vec<Enum> {
    vec![
        Enum::new("EmailKind").items(EmailKind::ALL.iter().map(|k| k.graphql_name())),
        Enum::new("EmailLanguage").items(["ES", "EN"]),
    ]
}

pub fn inputs() -> Vec<InputObject> {
    let s = |n: &str| InputValue::new(n, TypeRef::named_nn(TypeRef::STRING));
    vec![
        InputObject::new("EmailTemplateInput")
            .description("Tera sources; `EmailTemplate.variables` lists what each email offers. The HTML is autoescaped.")
            .field(s("subject"))
            .field(s("html"))
            .field(s("text")),
    ]
}

pub fn objects() -> Vec<Object> {
    let text = |name: &'static str, f: fn(&EmailTemplate) -> &String| {
        sync_field::<EmailTemplate>(name, TypeRef::named_nn(TypeRef::STRING), move |t| {
            Some(FieldValue::value(f(t).clone()))
        })
    };
    let rendered = |name: &'static str, f: fn(&RenderedMail) -> &String| {
        sync_field::<RenderedMail>(name, TypeRef::named_nn(TypeRef::STRING), move |m| {
            Some(FieldValue::value(f(m).clone()))
        })
    };
    vec![
        Object::new("EmailPreview")
            .description("An email as it would be sent, rendered with sample data.")
            .field(rendered("subject", |m| &m.subject))
            .field(rendered("html", |m| &m.html))
            .field(rendered("text", |m| &m.text)),
        Object::new("EmailTemplate")
            .field(sync_field::<EmailTemplate>(
                "kind",
                TypeRef::named_nn("EmailKind"),
                |t| {
                    Some(FieldValue::value(Value::Enum(Name::new(
                        t.kind.graphql_name(),
                    ))))
                },
            ))
            .field(sync_field::<EmailTemplate>(
                "language",
                TypeRef::named_nn("EmailLanguage"),
                |t| {
                    Some(FieldValue::value(Value::Enum(Name::new(
                        t.language.to_uppercase(),
                    ))))
                },
            ))
            .field(
                sync_field::<EmailTemplate>(
                    "variables",
                    TypeRef::named_nn_list_nn(TypeRef::STRING),
                    |t| {
                        Some(FieldValue::list(
                            t.kind
                                .variables()
                                .iter()
                                .chain(portico_engine::mail::BRAND_VARIABLES.iter())
                                .map(|v| FieldValue::value((*v).to_owned())),
                        ))
                    },
                )
                .description("The values this email is sent with, as a template names them (`{{ link }}`, `{{ brand.name }}`)."),
            )
            .field(text("subject", |t| &t.source.subject))
            .field(text("html", |t| &t.source.html))
            .field(text("text", |t| &t.source.text))
            .field(
                sync_field::<EmailTemplate>(
                    "customised",
                    TypeRef::named_nn(TypeRef::BOOLEAN),
                    |t| Some(FieldValue::value(t.customised)),
                )
                .description("Whether an admin changed it; false means the built-in version."),
            )
            .field(sync_field::<EmailTemplate>(
                "updatedAt",
                TypeRef::named(DATE_TIME),
                |t| {
                    t.updated_at
                        .map(|at| FieldValue::value(micros_to_rfc3339(at)))
                },
            )),
    ]
}

pub fn query_fields() -> Vec<Field> {
    vec![
        key_arguments(Field::new(
            "previewEmailTemplate",
            TypeRef::named_nn("EmailPreview"),
            |ctx| {
                FieldFuture::new(async move {
                    let (kind, language) = key_args(&ctx)?;
                    let source = source_of(&ctx)?;
                    let mail = staff(&ctx)?
                        .preview_email_template(kind, &language, &source)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::owned_any(mail)))
                })
            },
        ))
        .argument(InputValue::new(
            "input",
            TypeRef::named_nn("EmailTemplateInput"),
        ))
        .description(
            "A version being edited, rendered with sample data and not stored (admins only); errors name the part as on saving.",
        ),
        Field::new(
            "emailTemplates",
            TypeRef::named_nn_list_nn("EmailTemplate"),
            |ctx| {
                FieldFuture::new(async move {
                    let list = staff(&ctx)?.email_templates().await.map_err(engine_err)?;
                    Ok(Some(FieldValue::list(
                        list.into_iter().map(FieldValue::owned_any),
                    )))
                })
            },
        )
        .description("Every email in every language (admins only)."),
    ]
}

fn key_arguments(field: Field) -> Field {
    field
        .argument(InputValue::new("kind", TypeRef::named_nn("EmailKind")))
        .argument(InputValue::new(
            "language",
            TypeRef::named_nn("EmailLanguage"),
        ))
}

pub fn mutation_fields() -> Vec<Field> {
    vec![
        key_arguments(Field::new(
            "updateEmailTemplate",
            TypeRef::named_nn("EmailTemplate"),
            |ctx| {
                FieldFuture::new(async move {
                    let (kind, language) = key_args(&ctx)?;
                    let source = source_of(&ctx)?;
                    let t = staff(&ctx)?
                        .update_email_template(kind, &language, source)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::owned_any(t)))
                })
            },
        ))
        .argument(InputValue::new(
            "input",
            TypeRef::named_nn("EmailTemplateInput"),
        ))
        .description(
            "Replaces one email in one language; it must render, or the error names the part.",
        ),
        key_arguments(Field::new(
            "resetEmailTemplate",
            TypeRef::named_nn("EmailTemplate"),
            |ctx| {
                FieldFuture::new(async move {
                    let (kind, language) = key_args(&ctx)?;
                    let t = staff(&ctx)?
                        .reset_email_template(kind, &language)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::owned_any(t)))
                })
            },
        ))
        .description("Goes back to the built-in version."),
    ]
}
