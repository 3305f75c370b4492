//! Client requests over GraphQL: staff make and decide them on `/graphql`, a contact answers
//! and submits theirs on `/portal/graphql`. The same `ClientRequest` type on both, with its
//! case resolved by the caller's own handle (so a portal user gets the portal's `Case`).

use crate::Caller;
use crate::args::{engine_err, id_arg, opt_string, portal, request_info, staff, string};
use crate::connection::sync_field;
use crate::scalars::{DATE, DATE_TIME, JSON};
use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ObjectAccessor,
    ResolverContext, TypeRef,
};
use async_graphql::{Name, Result, Value};
use portico_engine::metadata::{EntityKind, FieldType};
use portico_engine::micros_to_rfc3339;
use portico_engine::requests::{
    ClientRequest, NewRequest, Question, QuestionnaireTemplate, ReminderSettings, RequestContact,
    RequestDocument, RequestKind, RequestState, SigningContext, parse_states,
};
use portico_engine::signatures::{SignatureRecord, SigningCertificate};

pub fn enums() -> Vec<Enum> {
    vec![
        Enum::new("ClientRequestKind")
            .items(RequestKind::ALL.iter().map(|k| k.key().to_uppercase())),
        Enum::new("ClientRequestState")
            .items(RequestState::ALL.iter().map(|s| s.key().to_uppercase())),
    ]
}

fn enum_value(name: &str) -> Value {
    Value::Enum(Name::new(name.to_uppercase()))
}

pub fn objects() -> Vec<Object> {
    use TypeRef as T;
    let text = |name: &'static str, f: fn(&ClientRequest) -> Option<String>, ty: &str| {
        sync_field::<ClientRequest>(name, T::named(ty), move |r| f(r).map(FieldValue::value))
    };
    vec![
        Object::new("ClientRequest")
            .description("What staff asked a case's portal contacts for, and where it stands.")
            .field(sync_field::<ClientRequest>("id", T::named_nn(T::ID), |r| {
                Some(FieldValue::value(r.id.to_string()))
            }))
            .field(sync_field::<ClientRequest>(
                "kind",
                T::named_nn("ClientRequestKind"),
                |r| Some(FieldValue::value(enum_value(r.kind.key()))),
            ))
            .field(sync_field::<ClientRequest>(
                "state",
                T::named_nn("ClientRequestState"),
                |r| Some(FieldValue::value(enum_value(r.state.key()))),
            ))
            .field(sync_field::<ClientRequest>(
                "title",
                T::named_nn(T::STRING),
                |r| Some(FieldValue::value(r.title.clone())),
            ))
            .field(sync_field::<ClientRequest>(
                "instructions",
                T::named_nn(T::STRING),
                |r| Some(FieldValue::value(r.instructions.clone())),
            ))
            .field(text("dueDate", |r| r.due_date.clone(), DATE))
            .field(
                text("comment", |r| r.comment.clone(), T::STRING)
                    .description("Why staff returned it."),
            )
            .field(sync_field::<ClientRequest>(
                "createdAt",
                T::named_nn(DATE_TIME),
                |r| Some(FieldValue::value(micros_to_rfc3339(r.created_at))),
            ))
            .field(text(
                "submittedAt",
                |r| r.submitted_at.map(micros_to_rfc3339),
                DATE_TIME,
            ))
            .field(
                sync_field::<ClientRequest>(
                    "contacts",
                    T::named_nn_list_nn("ClientRequestContact"),
                    |r| {
                        Some(FieldValue::list(
                            r.contacts.iter().map(|x| FieldValue::borrowed_any(x)),
                        ))
                    },
                )
                .description("Who it is addressed to, in the order staff chose."),
            )
            .field(
                sync_field::<ClientRequest>(
                    "documents",
                    T::named_nn_list_nn("ClientRequestDocument"),
                    |r| {
                        Some(FieldValue::list(
                            r.documents.iter().map(|x| FieldValue::borrowed_any(x)),
                        ))
                    },
                )
                .description("What the client uploaded into it."),
            )
            .field(sync_field::<ClientRequest>(
                "questions",
                T::named_nn_list_nn("Question"),
                |r| {
                    Some(FieldValue::list(
                        r.questions.iter().map(|x| FieldValue::borrowed_any(x)),
                    ))
                },
            ))
            .field(
                sync_field::<ClientRequest>("answers", T::named_nn(JSON), |r| {
                    Some(FieldValue::value(
                        Value::from_json(r.answers.clone()).unwrap_or(Value::Null),
                    ))
                })
                .description("The client's answers by question key (a draft until submitted)."),
            )
            .field(
                sync_field::<ClientRequest>(
                    "signatures",
                    T::named_nn_list_nn("DocumentSignature"),
                    |r| {
                        Some(FieldValue::list(
                            r.signatures.iter().map(|x| FieldValue::borrowed_any(x)),
                        ))
                    },
                )
                .description(
                    "For a signature request: each signature and refusal so far, in order.",
                ),
            )
            .field(sync_field::<ClientRequest>(
                "documentId",
                T::named(T::ID),
                |r| r.document_id.map(|d| FieldValue::value(d.to_string())),
            ))
            .field(Field::new("case", T::named_nn("Case"), |ctx| {
                FieldFuture::new(async move {
                    let r = ctx.parent_value.try_downcast_ref::<ClientRequest>()?;
                    let record = match request_info(&ctx).map(|i| i.caller) {
                        Some(Caller::Portal(h)) => h.case(r.case_id).await,
                        _ => staff(&ctx)?.get(EntityKind::Case, r.case_id).await,
                    }
                    .map_err(engine_err)?;
                    Ok(Some(FieldValue::owned_any(record)))
                })
            })),
        Object::new("QuestionnaireTemplate")
            .description("A questionnaire saved to reuse when asking a client questions.")
            .field(sync_field::<QuestionnaireTemplate>(
                "id",
                T::named_nn(T::ID),
                |q| Some(FieldValue::value(q.id.to_string())),
            ))
            .field(sync_field::<QuestionnaireTemplate>(
                "name",
                T::named_nn(T::STRING),
                |q| Some(FieldValue::value(q.name.clone())),
            ))
            .field(sync_field::<QuestionnaireTemplate>(
                "questions",
                T::named_nn_list_nn("Question"),
                |q| {
                    Some(FieldValue::list(
                        q.questions.iter().map(|x| FieldValue::borrowed_any(x)),
                    ))
                },
            ))
            .field(sync_field::<QuestionnaireTemplate>(
                "updatedAt",
                T::named_nn(DATE_TIME),
                |q| Some(FieldValue::value(micros_to_rfc3339(q.updated_at))),
            )),
        Object::new("RequestReminderSettings")
            .description("When reminders of client requests are emailed (0 turns a step off).")
            .field(sync_field::<ReminderSettings>(
                "daysBefore",
                T::named_nn(T::INT),
                |s| Some(FieldValue::value(s.days_before)),
            ))
            .field(sync_field::<ReminderSettings>(
                "onDueDate",
                T::named_nn(T::BOOLEAN),
                |s| Some(FieldValue::value(s.on_due_date)),
            ))
            .field(sync_field::<ReminderSettings>(
                "everyDays",
                T::named_nn(T::INT),
                |s| Some(FieldValue::value(s.every_days)),
            )),
        Object::new("DocumentSignature")
            .description("One signature of a document, or one refusal to sign, as it happened.")
            .field(sync_field::<SignatureRecord>(
                "contact",
                T::named_nn("ClientRequestContact"),
                |s| {
                    Some(FieldValue::owned_any(RequestContact {
                        id: s.contact_id,
                        name: s.contact_name.clone(),
                    }))
                },
            ))
            .field(sync_field::<SignatureRecord>(
                "declaredName",
                T::named(T::STRING),
                |s| s.declared_name.clone().map(FieldValue::value),
            ))
            .field(sync_field::<SignatureRecord>(
                "signedAt",
                T::named(DATE_TIME),
                |s| s.signed_at.map(|t| FieldValue::value(micros_to_rfc3339(t))),
            ))
            .field(sync_field::<SignatureRecord>(
                "declinedAt",
                T::named(DATE_TIME),
                |s| {
                    s.declined_at
                        .map(|t| FieldValue::value(micros_to_rfc3339(t)))
                },
            ))
            .field(sync_field::<SignatureRecord>(
                "reason",
                T::named(T::STRING),
                |s| s.reason.clone().map(FieldValue::value),
            ))
            .field(sync_field::<SignatureRecord>(
                "signedSha256",
                T::named(T::STRING),
                |s| s.signed_sha256.clone().map(FieldValue::value),
            )),
        Object::new("SigningCertificate")
            .description("The certificate documents are signed with.")
            .field(sync_field::<SigningCertificate>(
                "subject",
                T::named_nn(T::STRING),
                |c| Some(FieldValue::value(c.subject.clone())),
            ))
            .field(sync_field::<SigningCertificate>(
                "notAfter",
                T::named_nn(T::STRING),
                |c| Some(FieldValue::value(c.not_after.clone())),
            ))
            .field(sync_field::<SigningCertificate>(
                "sha256",
                T::named_nn(T::STRING),
                |c| Some(FieldValue::value(c.sha256.clone())),
            )),
        Object::new("ClientRequestContact")
            .field(sync_field::<RequestContact>(
                "id",
                T::named_nn(T::ID),
                |c| Some(FieldValue::value(c.id.to_string())),
            ))
            .field(sync_field::<RequestContact>(
                "name",
                T::named_nn(T::STRING),
                |c| Some(FieldValue::value(c.name.clone())),
            )),
        Object::new("ClientRequestDocument")
            .field(sync_field::<RequestDocument>(
                "id",
                T::named_nn(T::ID),
                |d| Some(FieldValue::value(d.id.to_string())),
            ))
            .field(sync_field::<RequestDocument>(
                "name",
                T::named_nn(T::STRING),
                |d| Some(FieldValue::value(d.name.clone())),
            )),
        Object::new("Question")
            .description("A question of a questionnaire, typed like a field.")
            .field(sync_field::<Question>("key", T::named_nn(T::STRING), |q| {
                Some(FieldValue::value(q.key.clone()))
            }))
            .field(sync_field::<Question>(
                "label",
                T::named_nn(T::STRING),
                |q| Some(FieldValue::value(q.label.clone())),
            ))
            .field(sync_field::<Question>(
                "type",
                T::named_nn("FieldType"),
                |q| {
                    Some(FieldValue::value(Value::Enum(Name::new(
                        q.field_type.as_str(),
                    ))))
                },
            ))
            .field(sync_field::<Question>(
                "options",
                T::named_nn_list_nn(T::STRING),
                |q| {
                    Some(FieldValue::list(
                        q.options.iter().map(|o| FieldValue::value(o.clone())),
                    ))
                },
            ))
            .field(sync_field::<Question>(
                "required",
                T::named_nn(T::BOOLEAN),
                |q| Some(FieldValue::value(q.required)),
            )),
    ]
}

pub fn inputs() -> Vec<InputObject> {
    use TypeRef as T;
    vec![
        InputObject::new("QuestionInput")
            .field(InputValue::new("key", T::named_nn(T::STRING)))
            .field(InputValue::new("label", T::named_nn(T::STRING)))
            .field(InputValue::new("type", T::named_nn("FieldType")))
            .field(InputValue::new("options", T::named_nn_list(T::STRING)))
            .field(InputValue::new("required", T::named(T::BOOLEAN))),
        InputObject::new("CreateClientRequestInput")
            .field(InputValue::new("caseId", T::named_nn(T::ID)))
            .field(InputValue::new("contactIds", T::named_nn_list_nn(T::ID)))
            .field(InputValue::new("kind", T::named_nn("ClientRequestKind")))
            .field(InputValue::new("title", T::named_nn(T::STRING)))
            .field(InputValue::new("instructions", T::named(T::STRING)))
            .field(InputValue::new("dueDate", T::named(DATE)))
            .field(InputValue::new("folderId", T::named(T::ID)))
            .field(InputValue::new("documentId", T::named(T::ID)))
            .field(InputValue::new(
                "questions",
                T::named_nn_list("QuestionInput"),
            )),
    ]
}

/// The uploaded `file`, read whole up to one byte past what a verification accepts.
fn read_upload(ctx: &ResolverContext<'_>) -> Result<Vec<u8>> {
    use std::io::Read;
    let up = ctx.args.try_get("file")?.upload()?;
    let mut bytes = Vec::new();
    up.value(ctx.ctx)?
        .content
        .take(portico_engine::signatures::MAX_VERIFY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| async_graphql::Error::new(format!("reading the upload: {e}")))?;
    Ok(bytes)
}

fn ids(input: &ObjectAccessor<'_>, name: &str) -> Result<Vec<i64>> {
    match input.get(name) {
        Some(v) if !v.is_null() => v
            .list()?
            .iter()
            .map(|x| crate::args::parse_id(x.string()?, name))
            .collect(),
        _ => Ok(Vec::new()),
    }
}

fn opt_id(input: &ObjectAccessor<'_>, name: &str) -> Result<Option<i64>> {
    match opt_string(input, name)? {
        Some(raw) => Ok(Some(crate::args::parse_id(&raw, name)?)),
        None => Ok(None),
    }
}

fn questions(input: &ObjectAccessor<'_>) -> Result<Vec<Question>> {
    let Some(v) = input.get("questions").filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in v.list()?.iter() {
        let q = item.object()?;
        let type_name = q.try_get("type")?.enum_name()?.to_owned();
        out.push(Question {
            key: string(&q, "key")?,
            label: string(&q, "label")?,
            field_type: FieldType::parse(&type_name).ok_or_else(|| {
                crate::error::invalid("questions", format!("`{type_name}` is not a field type"))
            })?,
            options: match q.get("options") {
                Some(o) if !o.is_null() => o
                    .list()?
                    .iter()
                    .map(|x| x.string().map(str::to_owned))
                    .collect::<Result<_>>()?,
                _ => Vec::new(),
            },
            required: crate::args::opt_bool(&q, "required")?.unwrap_or(false),
        });
    }
    Ok(out)
}

fn states(ctx: &ResolverContext<'_>) -> Result<Vec<RequestState>> {
    let names: Vec<String> = match ctx.args.get("state") {
        Some(v) if !v.is_null() => v
            .list()?
            .iter()
            .map(|x| x.enum_name().map(str::to_owned))
            .collect::<Result<_>>()?,
        _ => Vec::new(),
    };
    parse_states(&names).map_err(engine_err)
}

fn request_value(r: ClientRequest) -> Option<FieldValue<'static>> {
    Some(FieldValue::owned_any(r))
}

fn list_value(list: Vec<ClientRequest>) -> Option<FieldValue<'static>> {
    Some(FieldValue::list(
        list.into_iter().map(FieldValue::owned_any),
    ))
}

pub fn staff_queries() -> Vec<Field> {
    use TypeRef as T;
    vec![
        Field::new("clientRequests", T::named_nn_list_nn("ClientRequest"), |ctx| {
            FieldFuture::new(async move {
                let case_id = match opt_string(&ctx.args, "caseId")? {
                    Some(raw) => Some(crate::args::parse_id(&raw, "caseId")?),
                    None => None,
                };
                let states = states(&ctx)?;
                let list = staff(&ctx)?.client_requests(case_id, &states).await.map_err(engine_err)?;
                Ok(list_value(list))
            })
        })
        .argument(InputValue::new("caseId", T::named(T::ID)))
        .argument(InputValue::new("state", T::named_nn_list("ClientRequestState")))
        .description("A case's requests, newest first; without `caseId`, those of every case you own, late ones first."),
        Field::new("questionnaireTemplates", T::named_nn_list_nn("QuestionnaireTemplate"), |ctx| {
            FieldFuture::new(async move {
                let list = staff(&ctx)?.questionnaire_templates().await.map_err(engine_err)?;
                Ok(Some(FieldValue::list(list.into_iter().map(FieldValue::owned_any))))
            })
        })
        .description("The questionnaires saved to reuse, by name."),
        Field::new("requestReminderSettings", T::named_nn("RequestReminderSettings"), |ctx| {
            FieldFuture::new(async move {
                let s = staff(&ctx)?.reminder_settings().await.map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(s)))
            })
        })
        .description("When reminders of client requests go out; admins only."),
        Field::new("signingCertificate", T::named_nn("SigningCertificate"), |ctx| {
            FieldFuture::new(async move {
                let c = staff(&ctx)?.signing_certificate().await.map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(c)))
            })
        })
        .description("The certificate documents are signed with (made on first use); admins only."),
    ]
}

fn decide(name: &'static str, to: RequestState, with_comment: bool) -> Field {
    let mut f = Field::new(name, TypeRef::named_nn("ClientRequest"), move |ctx| {
        FieldFuture::new(async move {
            let id = id_arg(&ctx.args, "id")?;
            let comment = if with_comment {
                Some(string(&ctx.args, "comment")?)
            } else {
                None
            };
            let r = staff(&ctx)?
                .decide_client_request(id, to, comment)
                .await
                .map_err(engine_err)?;
            Ok(request_value(r))
        })
    })
    .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID)));
    if with_comment {
        f = f.argument(InputValue::new(
            "comment",
            TypeRef::named_nn(TypeRef::STRING),
        ));
    }
    f
}

pub fn staff_mutations() -> Vec<Field> {
    vec![
        Field::new("createClientRequest", TypeRef::named_nn("ClientRequest"), |ctx| {
            FieldFuture::new(async move {
                let input = ctx.args.try_get("input")?.object()?;
                let kind_name = input.try_get("kind")?.enum_name()?.to_ascii_lowercase();
                let new = NewRequest {
                    case_id: crate::args::id_arg(&input, "caseId")?,
                    contact_ids: ids(&input, "contactIds")?,
                    kind: RequestKind::from_key(&kind_name)
                        .ok_or_else(|| crate::error::invalid("kind", "not a request kind"))?,
                    title: string(&input, "title")?,
                    instructions: opt_string(&input, "instructions")?,
                    due_date: opt_string(&input, "dueDate")?,
                    folder_id: opt_id(&input, "folderId")?,
                    document_id: opt_id(&input, "documentId")?,
                    questions: questions(&input)?,
                };
                let r = staff(&ctx)?.create_client_request(new).await.map_err(engine_err)?;
                Ok(request_value(r))
            })
        })
        .argument(InputValue::new("input", TypeRef::named_nn("CreateClientRequestInput")))
        .description("Asks a case's portal contacts for documents or answers (each must have portal access to the case)."),
        decide("acceptClientRequest", RequestState::Accepted, false),
        decide("returnClientRequest", RequestState::Returned, true),
        decide("cancelClientRequest", RequestState::Cancelled, false),
        Field::new("saveQuestionnaireTemplate", TypeRef::named_nn("QuestionnaireTemplate"), |ctx| {
            FieldFuture::new(async move {
                let name = string(&ctx.args, "name")?;
                let questions = questions(&ctx.args)?;
                let saved = staff(&ctx)?
                    .save_questionnaire_template(&name, questions)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(saved)))
            })
        })
        .argument(InputValue::new("name", TypeRef::named_nn(TypeRef::STRING)))
        .argument(InputValue::new("questions", TypeRef::named_nn_list_nn("QuestionInput")))
        .description("Saves questions to reuse under a name; a questionnaire of that name is replaced."),
        Field::new("deleteQuestionnaireTemplate", TypeRef::named_nn(TypeRef::BOOLEAN), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                let gone = staff(&ctx)?.delete_questionnaire_template(id).await.map_err(engine_err)?;
                Ok(Some(FieldValue::value(gone)))
            })
        })
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID))),
        Field::new("verifySignedDocument", TypeRef::named_nn_list_nn("DocumentSignature"), |ctx| {
            FieldFuture::new(async move {
                let bytes = read_upload(&ctx)?;
                let found = staff(&ctx)?.verify_signed_file(&bytes).await.map_err(engine_err)?;
                Ok(Some(FieldValue::list(found.into_iter().map(FieldValue::owned_any))))
            })
        })
        .argument(InputValue::new("file", TypeRef::named_nn(TypeRef::UPLOAD)))
        .description("Who signed this PDF with this Portico, in order; empty when it was not signed here or was changed after."),
        Field::new("replaceSigningIdentity", TypeRef::named_nn("SigningCertificate"), |ctx| {
            FieldFuture::new(async move {
                let key = string(&ctx.args, "privateKeyPem")?;
                let cert = string(&ctx.args, "certificatePem")?;
                let c = staff(&ctx)?
                    .replace_signing_identity(&key, &cert)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(c)))
            })
        })
        .argument(InputValue::new("privateKeyPem", TypeRef::named_nn(TypeRef::STRING)))
        .argument(InputValue::new("certificatePem", TypeRef::named_nn(TypeRef::STRING)))
        .description("Admins: sign with your own P-256 key (PKCS #8 PEM) and its certificate (PEM) from now on."),
        Field::new("updateRequestReminderSettings", TypeRef::named_nn("RequestReminderSettings"), |ctx| {
            FieldFuture::new(async move {
                let int = |name: &str| -> Result<i32> {
                    crate::args::opt_i32(&ctx.args, name)?
                        .ok_or_else(|| crate::error::invalid(name, "is required"))
                };
                let wanted = ReminderSettings {
                    days_before: int("daysBefore")?,
                    on_due_date: crate::args::opt_bool(&ctx.args, "onDueDate")?.unwrap_or(true),
                    every_days: int("everyDays")?,
                };
                let s = staff(&ctx)?.set_reminder_settings(wanted).await.map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(s)))
            })
        })
        .argument(InputValue::new("daysBefore", TypeRef::named_nn(TypeRef::INT)))
        .argument(InputValue::new("onDueDate", TypeRef::named_nn(TypeRef::BOOLEAN)))
        .argument(InputValue::new("everyDays", TypeRef::named_nn(TypeRef::INT)))
        .description("Sets when reminders go out: days before the due date, on the day, every N days once late (0 turns one off)."),
    ]
}

pub fn portal_queries() -> Vec<Field> {
    use TypeRef as T;
    vec![
        Field::new(
            "clientRequests",
            T::named_nn_list_nn("ClientRequest"),
            |ctx| {
                FieldFuture::new(async move {
                    let states = states(&ctx)?;
                    let list = portal(&ctx)?
                        .client_requests(&states)
                        .await
                        .map_err(engine_err)?;
                    Ok(list_value(list))
                })
            },
        )
        .argument(InputValue::new(
            "state",
            T::named_nn_list("ClientRequestState"),
        ))
        .description("What the firm asked you for, on the cases you can see, late ones first."),
        Field::new("clientRequest", T::named("ClientRequest"), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                match portal(&ctx)?.client_request(id).await {
                    Ok(r) => Ok(request_value(r)),
                    Err(portico_engine::EngineError::NotFound { .. }) => Ok(None),
                    Err(e) => Err(engine_err(e)),
                }
            })
        })
        .argument(InputValue::new("id", T::named_nn(T::ID))),
    ]
}

pub fn portal_mutations() -> Vec<Field> {
    use TypeRef as T;
    vec![
        Field::new("answerClientRequest", T::named_nn("ClientRequest"), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                let answers = ctx.args.try_get("answers")?.deserialize::<serde_json::Value>()?;
                let r = portal(&ctx)?.answer_client_request(id, answers).await.map_err(engine_err)?;
                Ok(request_value(r))
            })
        })
        .argument(InputValue::new("id", T::named_nn(T::ID)))
        .argument(InputValue::new("answers", T::named_nn(JSON)))
        .description("Saves answers by question key as a draft; a wrong one is VALIDATION naming its key and nothing is stored."),
        Field::new("submitClientRequest", T::named_nn("ClientRequest"), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                let r = portal(&ctx)?.submit_client_request(id).await.map_err(engine_err)?;
                Ok(request_value(r))
            })
        })
        .argument(InputValue::new("id", T::named_nn(T::ID)))
        .description("Says the request is done: every required answer given, or at least one document uploaded into it."),
        Field::new("verifySignedDocument", T::named_nn_list_nn("DocumentSignature"), |ctx| {
            FieldFuture::new(async move {
                let bytes = read_upload(&ctx)?;
                let found = portal(&ctx)?.verify_signed_file(&bytes).await.map_err(engine_err)?;
                Ok(Some(FieldValue::list(found.into_iter().map(FieldValue::owned_any))))
            })
        })
        .argument(InputValue::new("file", T::named_nn(T::UPLOAD)))
        .description("Who signed this PDF with this Portico, in order; empty when it was not signed here or was changed after."),
        Field::new("signDocument", T::named_nn("ClientRequest"), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "requestId")?;
                let name = string(&ctx.args, "fullName")?;
                let password = string(&ctx.args, "password")?;
                let context = SigningContext {
                    ip: request_info(&ctx).and_then(|i| i.client_address),
                    user_agent: None,
                };
                let r = portal(&ctx)?
                    .sign_client_request(id, &name, &password, context)
                    .await
                    .map_err(engine_err)?;
                Ok(request_value(r))
            })
        })
        .argument(InputValue::new("requestId", T::named_nn(T::ID)))
        .argument(InputValue::new("fullName", T::named_nn(T::STRING)))
        .argument(InputValue::new("password", T::named_nn(T::STRING)))
        .description("Signs the request's PDF as you, your password asked again: a certificate page and a PAdES signature are added, as the document's newest version."),
        Field::new("declineSignature", T::named_nn("ClientRequest"), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "requestId")?;
                let reason = string(&ctx.args, "reason")?;
                let r = portal(&ctx)?
                    .decline_signature(id, &reason)
                    .await
                    .map_err(engine_err)?;
                Ok(request_value(r))
            })
        })
        .argument(InputValue::new("requestId", T::named_nn(T::ID)))
        .argument(InputValue::new("reason", T::named_nn(T::STRING)))
        .description("Refuses to sign, saying why; the request goes back to staff."),
    ]
}
