//! A new staff user's invitation over GraphQL: what a link leads to and accepting it (both
//! without credentials: the link is the credential), and an admin sending it again.

use crate::args::{engine, engine_err, id_arg, request_info, staff, string};
use crate::connection::sync_field;
use async_graphql::dynamic::{Enum, Field, FieldFuture, FieldValue, InputValue, Object, TypeRef};
use async_graphql::{Name, Value};
use portico_engine::identity::StaffLink;

pub fn enums() -> Vec<Enum> {
    vec![Enum::new("StaffInvitationState").items(["CHOOSE_PASSWORD", "SIGN_IN", "INVALID"])]
}

pub fn objects() -> Vec<Object> {
    let text = |name: &'static str, f: fn(&StaffLink) -> Option<&String>| {
        sync_field::<StaffLink>(name, TypeRef::named(TypeRef::STRING), move |l| {
            f(l).cloned().map(FieldValue::value)
        })
    };
    vec![
        Object::new("StaffInvitationLink")
            .description("Where an invitation link leads: choose a password, sign in (it was used), or nowhere.")
            .field(sync_field::<StaffLink>(
                "state",
                TypeRef::named_nn("StaffInvitationState"),
                |l| {
                    Some(FieldValue::value(Value::Enum(Name::new(match l {
                        StaffLink::ChoosePassword { .. } => "CHOOSE_PASSWORD",
                        StaffLink::SignIn { .. } => "SIGN_IN",
                        StaffLink::Invalid => "INVALID",
                    }))))
                },
            ))
            .field(text("email", |l| match l {
                StaffLink::ChoosePassword { email, .. } | StaffLink::SignIn { email } => Some(email),
                StaffLink::Invalid => None,
            }))
            .field(text("name", |l| match l {
                StaffLink::ChoosePassword { name, .. } => Some(name),
                _ => None,
            })),
    ]
}

pub fn query_fields() -> Vec<Field> {
    vec![
        Field::new(
            "staffInvitation",
            TypeRef::named_nn("StaffInvitationLink"),
            |ctx| {
                FieldFuture::new(async move {
                    let token = string(&ctx.args, "token")?;
                    let address = request_info(&ctx).and_then(|r| r.client_address);
                    let link = engine(&ctx)?
                        .staff_link(&token, address.as_deref())
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::owned_any(link)))
                })
            },
        )
        .argument(InputValue::new("token", TypeRef::named_nn(TypeRef::STRING)))
        .description("What the invitation link `token` leads to; no credentials needed."),
    ]
}

pub fn mutation_fields() -> Vec<Field> {
    vec![
        Field::new("acceptInvitation", TypeRef::named_nn("Session"), |ctx| {
            FieldFuture::new(async move {
                let token = string(&ctx.args, "token")?;
                let password = string(&ctx.args, "password")?;
                let address = request_info(&ctx).and_then(|r| r.client_address);
                let s = engine(&ctx)?
                    .accept_staff_invitation(&token, &password, address.as_deref())
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(s)))
            })
        })
        .argument(InputValue::new("token", TypeRef::named_nn(TypeRef::STRING)))
        .argument(InputValue::new("password", TypeRef::named_nn(TypeRef::STRING)))
        .description("A new staff user chooses their password with their invitation link, and is signed in."),
        Field::new("sendStaffInvitation", TypeRef::named_nn("StaffUser"), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "userId")?;
                let u = staff(&ctx)?.send_staff_invitation(id).await.map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(u)))
            })
        })
        .argument(InputValue::new("userId", TypeRef::named_nn(TypeRef::ID)))
        .description("Admins: another link for a user who has not chosen a password yet (earlier links keep working until one is used)."),
    ]
}
