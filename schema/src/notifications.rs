//! Staff notifications of portal activity: the per-case recipient list, the inbox, and the
//! `notificationAdded` subscription (over `/graphql/ws`).

use crate::args::{engine_err, id_arg, opt_bool, staff};
use crate::connection::sync_field;
use crate::scalars::DATE_TIME;
use async_graphql::Value;
use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputValue, Object, Subscription, SubscriptionField,
    SubscriptionFieldFuture, TypeRef,
};
use futures_util::StreamExt;
use portico_engine::metadata::EntityKind;
use portico_engine::micros_to_rfc3339;
use portico_engine::notifications::{Notification, Recipient};

pub fn objects() -> Vec<Object> {
    use TypeRef as T;
    vec![
        Object::new("NotificationRecipient")
            .description("A staff user told about a case's portal activity, and how.")
            .field(Field::new("user", T::named_nn("StaffUser"), |ctx| {
                FieldFuture::new(async move {
                    let r = ctx.parent_value.try_downcast_ref::<Recipient>()?;
                    let u = staff(&ctx)?
                        .staff_user(r.user_id)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::owned_any(u)))
                })
            }))
            .field(sync_field::<Recipient>(
                "inApp",
                T::named_nn(T::BOOLEAN),
                |r| Some(FieldValue::value(r.in_app)),
            ))
            .field(sync_field::<Recipient>(
                "email",
                T::named_nn(T::BOOLEAN),
                |r| Some(FieldValue::value(r.email)),
            )),
        Object::new("Notification")
            .field(sync_field::<Notification>("id", T::named_nn(T::ID), |n| {
                Some(FieldValue::value(n.id.to_string()))
            }))
            .field(
                sync_field::<Notification>("kind", T::named_nn(T::STRING), |n| {
                    Some(FieldValue::value(n.kind.clone()))
                })
                .description("`client_upload`, `portal_case_created`, or (admins only, with no case) `email_template_failed`."),
            )
            .field(sync_field::<Notification>(
                "message",
                T::named_nn(T::STRING),
                |n| Some(FieldValue::value(n.message.clone())),
            ))
            .field(
                sync_field::<Notification>("detail", T::named(crate::scalars::JSON), |n| {
                    Value::from_json(n.detail.clone())
                        .ok()
                        .filter(|v| *v != Value::Null)
                        .map(FieldValue::value)
                })
                .description("The message's facts (`contact`, and `document` for an upload), for wording it in another language."),
            )
            .field(sync_field::<Notification>("caseId", T::named(T::ID), |n| {
                n.case_id.map(|c| FieldValue::value(c.to_string()))
            }))
            .field(Field::new("case", T::named("Case"), |ctx| {
                FieldFuture::new(async move {
                    let n = ctx.parent_value.try_downcast_ref::<Notification>()?;
                    let Some(id) = n.case_id else {
                        return Ok(None);
                    };
                    let found = staff(&ctx)?.get(EntityKind::Case, id).await;
                    Ok(found.ok().map(FieldValue::owned_any))
                })
            }))
            .field(sync_field::<Notification>(
                "read",
                T::named_nn(T::BOOLEAN),
                |n| Some(FieldValue::value(n.read_at.is_some())),
            ))
            .field(sync_field::<Notification>(
                "readAt",
                T::named(DATE_TIME),
                |n| n.read_at.map(|t| FieldValue::value(micros_to_rfc3339(t))),
            ))
            .field(sync_field::<Notification>(
                "createdAt",
                T::named_nn(DATE_TIME),
                |n| Some(FieldValue::value(micros_to_rfc3339(n.created_at))),
            )),
    ]
}

pub fn query_fields() -> Vec<Field> {
    use TypeRef as T;
    vec![
        Field::new(
            "caseNotificationRecipients",
            T::named_nn_list_nn("NotificationRecipient"),
            |ctx| {
                FieldFuture::new(async move {
                    let case_id = id_arg(&ctx.args, "caseId")?;
                    let list = staff(&ctx)?
                        .case_notification_recipients(case_id)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::list(list.into_iter().map(FieldValue::owned_any))))
                })
            },
        )
        .argument(InputValue::new("caseId", T::named_nn(T::ID)))
        .description("Who hears about the case's portal activity; by default its owner, in the app and by email."),
        Field::new("notifications", T::named_nn_list_nn("Notification"), |ctx| {
            FieldFuture::new(async move {
                let unread = opt_bool(&ctx.args, "unreadOnly")?.unwrap_or(false);
                let list = staff(&ctx)?
                    .notifications(unread)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::list(list.into_iter().map(FieldValue::owned_any))))
            })
        })
        .argument(InputValue::new("unreadOnly", T::named(T::BOOLEAN)))
        .description("Your notifications, newest first (the latest 200)."),
    ]
}

pub fn mutation_fields() -> Vec<Field> {
    use TypeRef as T;
    vec![
        Field::new(
            "setCaseNotificationRecipient",
            T::named_nn("NotificationRecipient"),
            |ctx| {
                FieldFuture::new(async move {
                    let r = staff(&ctx)?
                        .set_case_notification_recipient(id_arg(&ctx.args, "caseId")?,
                            id_arg(&ctx.args, "userId")?,
                            ctx.args.try_get("inApp")?.boolean()?,
                            ctx.args.try_get("email")?.boolean()?,
                        )
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::owned_any(r)))
                })
            },
        )
        .argument(InputValue::new("caseId", T::named_nn(T::ID)))
        .argument(InputValue::new("userId", T::named_nn(T::ID)))
        .argument(InputValue::new("inApp", T::named_nn(T::BOOLEAN)))
        .argument(InputValue::new("email", T::named_nn(T::BOOLEAN)))
        .description("Adds a staff user to the case's list or changes how they hear. The owner can be switched off only once another user is on the list."),
        Field::new("removeCaseNotificationRecipient", T::named_nn(T::BOOLEAN), |ctx| {
            FieldFuture::new(async move {
                let removed = staff(&ctx)?
                    .remove_case_notification_recipient(id_arg(&ctx.args, "caseId")?,
                        id_arg(&ctx.args, "userId")?,
                    )
                    .await
                    .map_err(engine_err)?;
                Ok(Some(Value::from(removed)))
            })
        })
        .argument(InputValue::new("caseId", T::named_nn(T::ID)))
        .argument(InputValue::new("userId", T::named_nn(T::ID))),
        Field::new("markNotificationRead", T::named_nn("Notification"), |ctx| {
            FieldFuture::new(async move {
                let n = staff(&ctx)?
                    .mark_notification_read(id_arg(&ctx.args, "id")?)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(n)))
            })
        })
        .argument(InputValue::new("id", T::named_nn(T::ID))),
    ]
}

/// `Subscription.notificationAdded`: your new notifications as they happen.
pub fn subscription() -> Subscription {
    Subscription::new("Subscription").field(
        SubscriptionField::new(
            "notificationAdded",
            TypeRef::named_nn("Notification"),
            |ctx| {
                SubscriptionFieldFuture::new(async move {
                    let stream = staff(&ctx)?
                        .notification_stream()
                        .await
                        .map_err(engine_err)?;
                    Ok(stream.map(|n| Ok(FieldValue::owned_any(n))))
                })
            },
        )
        .description("Your new notifications as they happen (over /graphql/ws)."),
    )
    .field(
        SubscriptionField::new(
            "caseActivity",
            TypeRef::named_nn("AuditEvent"),
            |ctx| {
                SubscriptionFieldFuture::new(async move {
                    let case_id = crate::args::id_arg(&ctx.args, "caseId")?;
                    let stream = staff(&ctx)?
                        .case_activity_stream(case_id)
                        .await
                        .map_err(engine_err)?;
                    Ok(stream.map(|e| Ok(FieldValue::owned_any(e))))
                })
            },
        )
        .argument(async_graphql::dynamic::InputValue::new(
            "caseId",
            TypeRef::named_nn(TypeRef::ID),
        ))
        .description("What happens to a case from now on, as audit events (a client's upload, a colleague's change), over /graphql/ws: what keeps an open case screen current."),
    )
}
