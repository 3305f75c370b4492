//! Signing in to the portal, and who the signed-in user is.

use crate::args::{engine, engine_err, id_arg, portal, request_info, string};
use crate::connection::sync_field;
use async_graphql::Value;
use async_graphql::dynamic::{Field, FieldFuture, FieldValue, InputValue, Object, TypeRef};
use portico_engine::portal::Me;

fn address(ctx: &async_graphql::dynamic::ResolverContext<'_>) -> Option<String> {
    request_info(ctx).and_then(|r| r.client_address)
}

pub fn objects() -> Vec<Object> {
    vec![
        Object::new("Me")
            .description("The signed-in portal user, the organisations they work for, and the current one.")
            .field(sync_field::<Me>("contact", TypeRef::named_nn("Contact"), |m| {
                Some(FieldValue::borrowed_any(&m.contact))
            }))
            .field(sync_field::<Me>(
                "organisations",
                TypeRef::named_nn_list_nn("Contact"),
                |m| {
                    Some(FieldValue::list(
                        m.organisations.iter().map(|o| FieldValue::borrowed_any(o)),
                    ))
                },
            ))
            .field(
                sync_field::<Me>("currentOrganisation", TypeRef::named("Contact"), |m| {
                    m.current_organisation.as_ref().map(|o| FieldValue::borrowed_any(o))
                })
                .description("Cases, new cases and indicators follow it; none when the user works for no organisation."),
            ),
    ]
}

pub fn query_fields() -> Vec<Field> {
    vec![Field::new("me", TypeRef::named_nn("Me"), |ctx| {
        FieldFuture::new(async move {
            let me = portal(&ctx)?.me().await.map_err(engine_err)?;
            Ok(Some(FieldValue::owned_any(me)))
        })
    })]
}

fn session_field(
    name: &'static str,
    args: &'static [&'static str],
    description: &'static str,
) -> Field {
    let mut field = Field::new(name, TypeRef::named_nn("Session"), move |ctx| {
        FieldFuture::new(async move {
            let engine = engine(&ctx)?;
            let addr = address(&ctx);
            let addr = addr.as_deref();
            let session = match name {
                "login" => {
                    engine
                        .portal_login(
                            &string(&ctx.args, "email")?,
                            &string(&ctx.args, "password")?,
                            addr,
                        )
                        .await
                }
                "acceptInvitation" => {
                    engine
                        .accept_invitation(
                            &string(&ctx.args, "token")?,
                            &string(&ctx.args, "password")?,
                            addr,
                        )
                        .await
                }
                _ => {
                    engine
                        .reset_password(
                            &string(&ctx.args, "token")?,
                            &string(&ctx.args, "password")?,
                            addr,
                        )
                        .await
                }
            }
            .map_err(engine_err)?;
            Ok(Some(FieldValue::owned_any(session)))
        })
    })
    .description(description);
    for a in args {
        field = field.argument(InputValue::new(*a, TypeRef::named_nn(TypeRef::STRING)));
    }
    field
}

pub fn mutation_fields() -> Vec<Field> {
    vec![
        session_field(
            "acceptInvitation",
            &["token", "password"],
            "Chooses a password with the token of an invitation email, and signs in. The token works once.",
        ),
        session_field("login", &["email", "password"], "Signs in with email and password."),
        Field::new("setMyTimeZone", TypeRef::named_nn(TypeRef::STRING), |ctx| {
            FieldFuture::new(async move {
                let zone = crate::args::string(&ctx.args, "timeZone")?;
                let stored = portal(&ctx)?
                    .set_time_zone(&zone)
                    .await
                    .map_err(crate::args::engine_err)?;
                Ok(Some(async_graphql::Value::from(stored)))
            })
        })
        .argument(async_graphql::dynamic::InputValue::new(
            "timeZone",
            TypeRef::named_nn(TypeRef::STRING),
        ))
        .description("Chooses the time zone the dates in your emails are written in (`Europe/Madrid`)."),
        Field::new("logout", TypeRef::named_nn(TypeRef::BOOLEAN), |ctx| {
            FieldFuture::new(async move {
                let done = portal(&ctx)?
                    .logout()
                    .await
                    .map_err(engine_err)?;
                Ok(Some(Value::from(done)))
            })
        }),
        Field::new(
            "requestPasswordReset",
            TypeRef::named_nn(TypeRef::BOOLEAN),
            |ctx| {
                FieldFuture::new(async move {
                    let addr = address(&ctx);
                    let done = engine(&ctx)?
                        .request_password_reset(&string(&ctx.args, "email")?, addr.as_deref())
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(Value::from(done)))
                })
            },
        )
        .argument(InputValue::new("email", TypeRef::named_nn(TypeRef::STRING)))
        .description("Emails a reset link if the address belongs to a portal user. Always true, so it reveals no accounts."),
        session_field(
            "resetPassword",
            &["token", "password"],
            "Sets a new password with the token of a reset email, and signs in; other sessions end.",
        ),
        Field::new("switchOrganisation", TypeRef::named_nn("Me"), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                let me = portal(&ctx)?
                    .switch_organisation(id)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(me)))
            })
        })
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
        .description("Makes one of the user's organisations the current one."),
    ]
}
