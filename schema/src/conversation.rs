//! The case conversation over GraphQL: staff read and write every message and internal note
//! on `/graphql`, a contact the messages addressed to them on `/portal/graphql`. One
//! `CaseMessage` type on both; only the staff one says who has read a message.
//!
//! Also here: how a contact is told of news (`notificationSettings`, portal) and when the
//! daily digest goes (`clientDigestSettings`, admins).

use crate::args::{engine_err, id_arg, loaders, portal, staff, string};
use crate::connection::sync_field;
use crate::scalars::DATE_TIME;
use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ResolverContext, TypeRef,
};
use async_graphql::{Name, Result, Value};
use portico_engine::client_news::{Delivery, DigestSettings, NewsKind, NewsSetting};
use portico_engine::conversation::{CaseMessage, MessageAttachment, MessageReceipt, Window};
use portico_engine::documents::{DocumentOpen, Upload};
use portico_engine::micros_to_rfc3339;
use portico_engine::records::Record;

pub fn enums() -> Vec<Enum> {
    vec![
        Enum::new("ClientNewsKind").items(NewsKind::ALL.iter().map(|k| k.key().to_uppercase())),
        Enum::new("ClientNewsDelivery").items(Delivery::ALL.iter().map(|d| d.key().to_uppercase())),
    ]
}

fn time(micros: i64) -> FieldValue<'static> {
    FieldValue::value(micros_to_rfc3339(micros))
}

/// `CaseMessage` and its parts; `staff` adds who has read each message.
pub fn objects(staff: bool) -> Vec<Object> {
    use TypeRef as T;
    let mut message = Object::new("CaseMessage")
        .description("A message on a case's conversation, or (staff only) an internal note.")
        .field(sync_field::<CaseMessage>("id", T::named_nn(T::ID), |m| {
            Some(FieldValue::value(m.id.to_string()))
        }))
        .field(
            sync_field::<CaseMessage>("body", T::named_nn(T::STRING), |m| {
                Some(FieldValue::value(m.body.clone()))
            })
            .description("Plain text (show it as text: never as HTML); empty once deleted."),
        )
        .field(
            sync_field::<CaseMessage>("internal", T::named_nn(T::BOOLEAN), |m| {
                Some(FieldValue::value(m.internal))
            })
            .description("An internal note: never shown on the portal or in a client's email."),
        )
        .field(sync_field::<CaseMessage>(
            "fromClient",
            T::named_nn(T::BOOLEAN),
            |m| Some(FieldValue::value(m.from_client())),
        ))
        .field(sync_field::<CaseMessage>(
            "author",
            T::named_nn("MessageAuthor"),
            |m| Some(FieldValue::owned_any(m.author.clone())),
        ))
        .field(sync_field::<CaseMessage>(
            "createdAt",
            T::named_nn(DATE_TIME),
            |m| Some(time(m.created_at)),
        ))
        .field(sync_field::<CaseMessage>(
            "editedAt",
            T::named(DATE_TIME),
            |m| m.edited_at.map(time),
        ))
        .field(sync_field::<CaseMessage>(
            "deleted",
            T::named_nn(T::BOOLEAN),
            |m| Some(FieldValue::value(m.deleted())),
        ))
        .field(
            sync_field::<CaseMessage>("byEmail", T::named_nn(T::BOOLEAN), |m| {
                Some(FieldValue::value(
                    m.via == portico_engine::conversation::Via::Email,
                ))
            })
            .description("The client answered an email of ours."),
        )
        .field(sync_field::<CaseMessage>(
            "attachments",
            T::named_nn_list_nn("MessageAttachment"),
            |m| {
                Some(FieldValue::list(
                    m.attachments
                        .iter()
                        .map(|a| FieldValue::owned_any(a.clone())),
                ))
            },
        ));
    if staff {
        message = message.field(
            sync_field::<CaseMessage>("readBy", T::named_nn_list_nn("MessageReceipt"), |m| {
                Some(FieldValue::list(
                    m.receipts.iter().map(|r| FieldValue::owned_any(r.clone())),
                ))
            })
            .description("The contacts it went to, and when each read it."),
        );
    }
    let author = Object::new("MessageAuthor")
        .description("The staff user or the contact who wrote a message.")
        .field(sync_field::<portico_engine::conversation::MessageAuthor>(
            "id",
            T::named_nn(T::ID),
            |a| {
                Some(FieldValue::value(
                    a.user_id.or(a.contact_id).unwrap_or_default().to_string(),
                ))
            },
        ))
        .field(sync_field::<portico_engine::conversation::MessageAuthor>(
            "name",
            T::named_nn(T::STRING),
            |a| Some(FieldValue::value(a.name.clone())),
        ));
    let attachment = Object::new("MessageAttachment")
        .description("A file sent with a message: a document of the case.")
        .field(sync_field::<MessageAttachment>(
            "id",
            T::named_nn(T::ID),
            |a| Some(FieldValue::value(a.id.to_string())),
        ))
        .field(sync_field::<MessageAttachment>(
            "name",
            T::named_nn(T::STRING),
            |a| Some(FieldValue::value(a.name.clone())),
        ));
    let mut out = vec![message, author, attachment];
    if staff {
        out.push(
            Object::new("MessageReceipt")
                .field(sync_field::<MessageReceipt>(
                    "contactId",
                    T::named_nn(T::ID),
                    |r| Some(FieldValue::value(r.contact_id.to_string())),
                ))
                .field(sync_field::<MessageReceipt>(
                    "name",
                    T::named_nn(T::STRING),
                    |r| Some(FieldValue::value(r.name.clone())),
                ))
                .field(sync_field::<MessageReceipt>(
                    "readAt",
                    T::named(DATE_TIME),
                    |r| r.read_at.map(time),
                )),
        );
        out.push(
            Object::new("DocumentOpen")
                .description("A contact's opening of a document shared with them.")
                .field(sync_field::<DocumentOpen>(
                    "contactId",
                    T::named_nn(T::ID),
                    |o| Some(FieldValue::value(o.contact_id.to_string())),
                ))
                .field(sync_field::<DocumentOpen>(
                    "name",
                    T::named_nn(T::STRING),
                    |o| Some(FieldValue::value(o.contact_name.clone())),
                ))
                .field(sync_field::<DocumentOpen>(
                    "firstAt",
                    T::named_nn(DATE_TIME),
                    |o| Some(time(o.first_at)),
                ))
                .field(sync_field::<DocumentOpen>(
                    "lastAt",
                    T::named_nn(DATE_TIME),
                    |o| Some(time(o.last_at)),
                )),
        );
        out.push(
            Object::new("ClientDigestSettings")
                .field(sync_field::<DigestSettings>(
                    "sendAt",
                    T::named_nn(T::STRING),
                    |s| Some(FieldValue::value(s.send_at.clone())),
                ))
                .field(sync_field::<DigestSettings>(
                    "timeZone",
                    T::named(T::STRING),
                    |s| s.time_zone.clone().map(FieldValue::value),
                )),
        );
    } else {
        out.push(
            Object::new("NotificationSetting")
                .description("How one kind of news reaches you.")
                .field(sync_field::<NewsSetting>(
                    "kind",
                    T::named_nn("ClientNewsKind"),
                    |s| {
                        Some(FieldValue::value(Value::Enum(Name::new(
                            s.kind.key().to_uppercase(),
                        ))))
                    },
                ))
                .field(sync_field::<NewsSetting>(
                    "delivery",
                    T::named_nn("ClientNewsDelivery"),
                    |s| {
                        Some(FieldValue::value(Value::Enum(Name::new(
                            s.delivery.key().to_uppercase(),
                        ))))
                    },
                )),
        );
    }
    out
}

pub fn inputs() -> Vec<InputObject> {
    vec![
        InputObject::new("NotificationSettingInput")
            .field(InputValue::new("kind", TypeRef::named_nn("ClientNewsKind")))
            .field(InputValue::new(
                "delivery",
                TypeRef::named_nn("ClientNewsDelivery"),
            )),
    ]
}

/// `Document.openedBy` (staff): who of the clients has opened it.
pub fn document_opened_by() -> Field {
    Field::new(
        "openedBy",
        TypeRef::named_nn_list_nn("DocumentOpen"),
        |ctx| {
            FieldFuture::new(async move {
                let d = ctx
                    .parent_value
                    .try_downcast_ref::<portico_engine::documents::Document>()?;
                let opens = staff(&ctx)?
                    .document_opens(d.id)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::list(
                    opens.into_iter().map(FieldValue::owned_any),
                )))
            })
        },
    )
    .description("The contacts who have opened it on the portal, first opener first.")
}

/// `Case.unreadMessages`, on either endpoint.
pub fn case_unread(staff_side: bool) -> Field {
    Field::new(
        "unreadMessages",
        TypeRef::named_nn(TypeRef::INT),
        move |ctx| {
            FieldFuture::new(async move {
                let c = ctx.parent_value.try_downcast_ref::<Record>()?;
                let n = if staff_side {
                    loaders(&ctx)?.unread.load(c.id).await?.unwrap_or_default()
                } else {
                    let found = portal(&ctx)?
                        .unread_messages(&[c.id])
                        .await
                        .map_err(engine_err)?;
                    found.get(&c.id).copied().unwrap_or_default()
                };
                Ok(Some(FieldValue::value(n)))
            })
        },
    )
    .description("Messages on its conversation you have not read.")
}

fn list_value(list: Vec<CaseMessage>) -> Option<FieldValue<'static>> {
    Some(FieldValue::list(
        list.into_iter().map(FieldValue::owned_any),
    ))
}

/// The files of `attachments`, ready to stream.
fn attachment_files(
    ctx: &ResolverContext<'_>,
) -> Result<Vec<(String, Option<String>, tokio::fs::File)>> {
    let Some(list) = ctx.args.get("attachments").filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in list.list()?.iter() {
        let up = item.upload()?.value(ctx.ctx)?;
        out.push((
            up.filename,
            up.content_type,
            tokio::fs::File::from_std(up.content),
        ));
    }
    Ok(out)
}

fn uploads(files: &mut [(String, Option<String>, tokio::fs::File)]) -> Vec<Upload<'_>> {
    files
        .iter_mut()
        .map(|(name, kind, file)| Upload {
            filename: name.clone(),
            content_type: kind.clone(),
            content: file,
        })
        .collect()
}

fn messages_query(staff_side: bool) -> Field {
    Field::new(
        "caseMessages",
        TypeRef::named_nn_list_nn("CaseMessage"),
        move |ctx| {
            FieldFuture::new(async move {
                let case_id = id_arg(&ctx.args, "caseId")?;
                let last = match crate::args::opt_i32(&ctx.args, "last")? {
                    Some(n) if n < 1 => {
                        return Err(crate::error::invalid("last", "at least 1"));
                    }
                    n => n.map(|n| n as u64),
                };
                let before = match crate::args::opt_string(&ctx.args, "before")? {
                    Some(raw) => Some(crate::args::parse_id(&raw, "before")?),
                    None => None,
                };
                let window = Window { last, before };
                let found = if staff_side {
                    staff(&ctx)?.case_messages(case_id, window).await
                } else {
                    portal(&ctx)?.case_messages(case_id, window).await
                }
                .map_err(engine_err)?;
                Ok(list_value(found.messages))
            })
        },
    )
    .argument(InputValue::new("caseId", TypeRef::named_nn(TypeRef::ID)))
    .argument(
        InputValue::new("last", TypeRef::named(TypeRef::INT))
            .description("Only the newest this many (all when left out)."),
    )
    .argument(
        InputValue::new("before", TypeRef::named(TypeRef::ID))
            .description("Only messages older than this one: the page before."),
    )
    .description("The case's conversation, oldest first.")
}

fn edit_and_delete(staff_side: bool) -> [Field; 3] {
    [
        Field::new("editCaseMessage", TypeRef::named_nn("CaseMessage"), move |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                let body = string(&ctx.args, "body")?;
                let m = if staff_side {
                    staff(&ctx)?.edit_case_message(id, &body).await
                } else {
                    portal(&ctx)?.edit_case_message(id, &body).await
                }
                .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(m)))
            })
        })
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
        .argument(InputValue::new("body", TypeRef::named_nn(TypeRef::STRING)))
        .description("Changes your own message, within 15 minutes of sending it; the others see it was edited."),
        Field::new("deleteCaseMessage", TypeRef::named_nn("CaseMessage"), move |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                let m = if staff_side {
                    staff(&ctx)?.delete_case_message(id).await
                } else {
                    portal(&ctx)?.delete_case_message(id).await
                }
                .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(m)))
            })
        })
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)))
        .description("Deletes your own message, within 15 minutes of sending it; the others see that it was deleted."),
        Field::new("markCaseMessagesRead", TypeRef::named_nn(TypeRef::BOOLEAN), move |ctx| {
            FieldFuture::new(async move {
                let case_id = id_arg(&ctx.args, "caseId")?;
                let done = if staff_side {
                    staff(&ctx)?.mark_case_messages_read(case_id).await
                } else {
                    portal(&ctx)?.mark_case_messages_read(case_id).await
                }
                .map_err(engine_err)?;
                Ok(Some(FieldValue::value(done)))
            })
        })
        .argument(InputValue::new("caseId", TypeRef::named_nn(TypeRef::ID))),
    ]
}

pub fn staff_queries() -> Vec<Field> {
    vec![
        messages_query(true),
        Field::new("unreadConversations", TypeRef::named_nn_list_nn("Case"), |ctx| {
            FieldFuture::new(async move {
                let found = staff(&ctx)?.unread_conversations().await.map_err(engine_err)?;
                Ok(Some(FieldValue::list(
                    found.into_iter().map(|(case, _)| FieldValue::owned_any(case)),
                )))
            })
        })
        .description("The cases you own or are notified of whose conversation has messages you have not read, the most recent first (at most 20); ask each for `unreadMessages`."),
        Field::new(
            "clientDigestSettings",
            TypeRef::named_nn("ClientDigestSettings"),
            |ctx| {
                FieldFuture::new(async move {
                    let s = staff(&ctx)?.digest_settings().await.map_err(engine_err)?;
                    Ok(Some(FieldValue::owned_any(s)))
                })
            },
        )
        .description("When clients' daily digest goes out; admins only."),
    ]
}

pub fn staff_mutations() -> Vec<Field> {
    let mut out = vec![
        Field::new("postCaseMessage", TypeRef::named_nn("CaseMessage"), |ctx| {
            FieldFuture::new(async move {
                let case_id = id_arg(&ctx.args, "caseId")?;
                let body = string(&ctx.args, "body")?;
                let internal = crate::args::opt_bool(&ctx.args, "internal")?.unwrap_or(false);
                let mut files = attachment_files(&ctx)?;
                let m = staff(&ctx)?
                    .post_case_message(case_id, &body, internal, uploads(&mut files))
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(m)))
            })
        })
        .argument(InputValue::new("caseId", TypeRef::named_nn(TypeRef::ID)))
        .argument(InputValue::new("body", TypeRef::named_nn(TypeRef::STRING)))
        .argument(InputValue::new("internal", TypeRef::named_nn(TypeRef::BOOLEAN)))
        .argument(InputValue::new("attachments", TypeRef::named_nn_list(TypeRef::UPLOAD)))
        .description("A reply to the case's portal contacts (emailed to them as each chose), or an internal note (`internal: true`) only staff see. Attachments become case documents, shared with the contacts a reply goes to."),
        Field::new(
            "updateClientDigestSettings",
            TypeRef::named_nn("ClientDigestSettings"),
            |ctx| {
                FieldFuture::new(async move {
                    let wanted = DigestSettings {
                        send_at: string(&ctx.args, "sendAt")?,
                        time_zone: crate::args::opt_string(&ctx.args, "timeZone")?,
                    };
                    let s = staff(&ctx)?
                        .set_digest_settings(wanted)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::owned_any(s)))
                })
            },
        )
        .argument(InputValue::new("sendAt", TypeRef::named_nn(TypeRef::STRING)))
        .argument(InputValue::new("timeZone", TypeRef::named(TypeRef::STRING)))
        .description("Admins: the time of day (HH:MM, in `timeZone`, UTC when none) clients' daily digest goes out."),
    ];
    out.extend(edit_and_delete(true));
    out
}

pub fn portal_queries() -> Vec<Field> {
    vec![
        messages_query(false),
        Field::new(
            "notificationSettings",
            TypeRef::named_nn_list_nn("NotificationSetting"),
            |ctx| {
                FieldFuture::new(async move {
                    let list = portal(&ctx)?.news_settings().await.map_err(engine_err)?;
                    Ok(Some(FieldValue::list(
                        list.into_iter().map(FieldValue::owned_any),
                    )))
                })
            },
        )
        .description("How you are told of each kind of news on your cases."),
    ]
}

pub fn portal_mutations() -> Vec<Field> {
    let mut out = vec![
        Field::new("postCaseMessage", TypeRef::named_nn("CaseMessage"), |ctx| {
            FieldFuture::new(async move {
                let case_id = id_arg(&ctx.args, "caseId")?;
                let body = string(&ctx.args, "body")?;
                let mut files = attachment_files(&ctx)?;
                let m = portal(&ctx)?
                    .post_case_message(case_id, &body, uploads(&mut files))
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(m)))
            })
        })
        .argument(InputValue::new("caseId", TypeRef::named_nn(TypeRef::ID)))
        .argument(InputValue::new("body", TypeRef::named_nn(TypeRef::STRING)))
        .argument(InputValue::new("attachments", TypeRef::named_nn_list(TypeRef::UPLOAD)))
        .description("Writes to the firm on one of your cases; attachments are your uploads to the case. At most the configured number an hour (RATE_LIMITED)."),
        Field::new(
            "updateNotificationSettings",
            TypeRef::named_nn_list_nn("NotificationSetting"),
            |ctx| {
                FieldFuture::new(async move {
                    let mut wanted = Vec::new();
                    for item in ctx.args.try_get("settings")?.list()?.iter() {
                        let o = item.object()?;
                        let kind = o.try_get("kind")?.enum_name()?.to_ascii_lowercase();
                        let delivery = o.try_get("delivery")?.enum_name()?.to_ascii_lowercase();
                        wanted.push(NewsSetting {
                            kind: NewsKind::from_key(&kind)
                                .ok_or_else(|| crate::error::invalid("kind", "not a kind of news"))?,
                            delivery: Delivery::from_key(&delivery).ok_or_else(|| {
                                crate::error::invalid("delivery", "NOW, DIGEST or OFF")
                            })?,
                        });
                    }
                    let list = portal(&ctx)?
                        .set_news_settings(&wanted)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::list(
                        list.into_iter().map(FieldValue::owned_any),
                    )))
                })
            },
        )
        .argument(InputValue::new(
            "settings",
            TypeRef::named_nn_list_nn("NotificationSettingInput"),
        ))
        .description("Changes how you are told of some kinds of news (right away, in the daily digest, or not at all); the others stay."),
    ];
    out.extend(edit_and_delete(false));
    out
}
