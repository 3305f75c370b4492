//! Documents and folders, for staff (`/graphql`) and for portal users (`/portal/graphql`).
//! Uploads follow the GraphQL multipart request spec (`file: Upload!`); downloads are plain
//! HTTP at `/files/<id>` and `/portal/files/<id>`.

use crate::args::{engine_err, id_arg, loaders, opt_string, parse_id, portal, staff, string};
use crate::connection::sync_field;
use crate::scalars::DATE_TIME;
use async_graphql::dynamic::{
    Enum, Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ResolverContext, TypeRef,
};
use async_graphql::{Name, Result, Value};
use portico_engine::documents::{Document, DocumentOrder, DocumentQuery, Folder, Upload};
use portico_engine::micros_to_rfc3339;
use portico_engine::records::Record;

pub fn enums() -> Vec<Enum> {
    vec![
        Enum::new("DocumentOrigin")
            .description(
                "STAFF: uploaded by staff. CLIENT_PORTAL: uploaded by a client on the portal.",
            )
            .items(["STAFF", "CLIENT_PORTAL"]),
        Enum::new("DocumentOrderField")
            .description("NAME, ACTIVITY (last change) or CREATED.")
            .items(["NAME", "ACTIVITY", "CREATED"]),
    ]
}

pub fn inputs() -> Vec<InputObject> {
    vec![
        InputObject::new("DocumentOrderBy")
            .field(InputValue::new(
                "field",
                TypeRef::named_nn("DocumentOrderField"),
            ))
            .field(
                InputValue::new("direction", TypeRef::named_nn("SortDirection"))
                    .default_value(Value::Enum(Name::new("ASC"))),
            ),
    ]
}

/// `orderBy` and `search` of a document list; newest first when no order is given.
fn document_query(ctx: &ResolverContext<'_>) -> Result<DocumentQuery> {
    let mut how = DocumentQuery {
        order: DocumentOrder::Created,
        descending: true,
        search: opt_string(&ctx.args, "search")?,
    };
    if let Some(list) = ctx.args.get("orderBy").filter(|v| !v.is_null())
        && let Some(first) = list.list()?.iter().next()
    {
        let o = first.object()?;
        how.order = match o.try_get("field")?.enum_name()? {
            "NAME" => DocumentOrder::Name,
            "ACTIVITY" => DocumentOrder::Activity,
            _ => DocumentOrder::Created,
        };
        how.descending = o
            .get("direction")
            .map(|d| d.enum_name().map(|n| n == "DESC"))
            .transpose()?
            .unwrap_or(false);
    }
    Ok(how)
}

fn list_arguments(field: Field) -> Field {
    field
        .argument(InputValue::new(
            "orderBy",
            TypeRef::named_nn_list("DocumentOrderBy"),
        ))
        .argument(
            InputValue::new("search", TypeRef::named(TypeRef::STRING))
                .description("Part of the name, in any case."),
        )
}

fn documents_value(list: Vec<Document>) -> FieldValue<'static> {
    FieldValue::list(list.into_iter().map(FieldValue::owned_any))
}

fn upload_arg<'a>(ctx: &ResolverContext<'a>) -> Result<(String, Option<String>, tokio::fs::File)> {
    let up = ctx.args.try_get("file")?.upload()?;
    let value = up.value(ctx.ctx)?;
    Ok((
        value.filename,
        value.content_type,
        tokio::fs::File::from_std(value.content),
    ))
}

fn time(name: &'static str, f: fn(&Document) -> i64) -> Field {
    sync_field::<Document>(name, TypeRef::named_nn(DATE_TIME), move |d| {
        Some(FieldValue::value(micros_to_rfc3339(f(d))))
    })
}

/// `Document` and `Folder`. The portal's `Document` has no `sharedWith`.
pub fn objects(portal: bool) -> Vec<Object> {
    use TypeRef as T;
    let mut doc = Object::new("Document")
        .field(sync_field::<Document>("id", T::named_nn(T::ID), |d| {
            Some(FieldValue::value(d.id.to_string()))
        }))
        .field(sync_field::<Document>(
            "name",
            T::named_nn(T::STRING),
            |d| Some(FieldValue::value(d.name.clone())),
        ))
        .field(sync_field::<Document>(
            "type",
            T::named_nn(T::STRING),
            |d| Some(FieldValue::value(d.doc_type.clone())),
        ))
        .field(sync_field::<Document>(
            "origin",
            T::named_nn("DocumentOrigin"),
            |d| Some(FieldValue::value(Value::Enum(Name::new(d.origin.as_str())))),
        ))
        .field(sync_field::<Document>("folderId", T::named(T::ID), |d| {
            d.folder_id.map(|f| FieldValue::value(f.to_string()))
        }))
        .field(time("createdAt", |d| d.created_at))
        .field(time("updatedAt", |d| d.updated_at))
        .field(
            sync_field::<Document>("size", T::named_nn(T::FLOAT), |d| {
                Some(FieldValue::value(d.size as f64))
            })
            .description("Bytes (a Float: files may pass 2 GiB)."),
        )
        .field(sync_field::<Document>(
            "contentType",
            T::named_nn(T::STRING),
            |d| Some(FieldValue::value(d.content_type.clone())),
        ))
        .field(sync_field::<Document>(
            "version",
            T::named_nn(T::INT),
            |d| Some(FieldValue::value(d.version)),
        ))
        .field(
            sync_field::<Document>("downloadUrl", T::named_nn(T::STRING), move |d| {
                let prefix = if portal { "/portal/files" } else { "/files" };
                Some(FieldValue::value(format!("{prefix}/{}", d.id)))
            })
            .description("Where GET downloads it, with the same authentication."),
        )
        .field(Field::new("createdBy", T::named("StaffUser"), move |ctx| {
            FieldFuture::new(async move {
                let d = ctx.parent_value.try_downcast_ref::<Document>()?;
                let Some(id) = d.created_by else {
                    return Ok(None);
                };
                let user = if portal {
                    crate::args::portal(&ctx)?.staff_user(id).await.ok()
                } else {
                    loaders(&ctx)?.users.load(id).await?
                };
                Ok(user.map(FieldValue::owned_any))
            })
        }))
        .field(
            Field::new("uploadedBy", T::named("Contact"), move |ctx| {
                FieldFuture::new(async move {
                    let d = ctx.parent_value.try_downcast_ref::<Document>()?;
                    let Some(id) = d.uploaded_by else {
                        return Ok(None);
                    };
                    let contact = if portal {
                        crate::args::portal(&ctx)?.contact(id).await.ok()
                    } else {
                        loaders(&ctx)?.contacts.load(id).await?
                    };
                    Ok(contact.map(FieldValue::owned_any))
                })
            })
            .description("The client who uploaded it on the portal."),
        );
    if !portal {
        doc = doc
            .field(
                Field::new("sharedWith", T::named_nn_list_nn("Contact"), |ctx| {
                    FieldFuture::new(async move {
                        let d = ctx.parent_value.try_downcast_ref::<Document>()?;
                        let contacts = loaders(&ctx)?
                            .shared_with
                            .load(d.id)
                            .await?
                            .unwrap_or_default();
                        Ok(Some(FieldValue::list(
                            contacts.into_iter().map(FieldValue::owned_any),
                        )))
                    })
                })
                .description("The portal contacts who see it (client uploads included)."),
            )
            .field(crate::conversation::document_opened_by());
    }
    let folder = Object::new("Folder")
        .field(sync_field::<Folder>("id", T::named_nn(T::ID), |f| {
            Some(FieldValue::value(f.id.to_string()))
        }))
        .field(sync_field::<Folder>("name", T::named_nn(T::STRING), |f| {
            Some(FieldValue::value(f.name.clone()))
        }))
        .field(sync_field::<Folder>("parentId", T::named(T::ID), |f| {
            f.parent_id.map(|p| FieldValue::value(p.to_string()))
        }))
        .field(sync_field::<Folder>(
            "createdAt",
            T::named_nn(DATE_TIME),
            |f| Some(FieldValue::value(micros_to_rfc3339(f.created_at))),
        ));
    vec![doc, folder]
}

/// `Case.documents` and `Case.folders` (staff).
pub fn case_fields() -> Vec<Field> {
    vec![
        list_arguments(Field::new(
            "documents",
            TypeRef::named_nn_list_nn("Document"),
            |ctx| {
                FieldFuture::new(async move {
                    let case = ctx.parent_value.try_downcast_ref::<Record>()?;
                    let how = document_query(&ctx)?;
                    let list = loaders(&ctx)?
                        .case_documents
                        .load((case.id, how))
                        .await?
                        .unwrap_or_default();
                    Ok(Some(documents_value(list)))
                })
            },
        )),
        Field::new("folders", TypeRef::named_nn_list_nn("Folder"), |ctx| {
            FieldFuture::new(async move {
                let case = ctx.parent_value.try_downcast_ref::<Record>()?;
                let list = loaders(&ctx)?
                    .case_folders
                    .load(case.id)
                    .await?
                    .unwrap_or_default();
                Ok(Some(FieldValue::list(
                    list.into_iter().map(FieldValue::owned_any),
                )))
            })
        }),
    ]
}

fn opt_id(ctx: &ResolverContext<'_>, name: &str) -> Result<Option<i64>> {
    match ctx.args.get(name).filter(|v| !v.is_null()) {
        Some(v) => {
            let raw = match v.as_value() {
                Value::Number(n) => n.to_string(),
                _ => v.string()?.to_owned(),
            };
            parse_id(&raw, name).map(Some)
        }
        None => Ok(None),
    }
}

/// `uploadDocument`, on either endpoint.
fn upload_field(portal: bool) -> Field {
    Field::new(
        "uploadDocument",
        TypeRef::named_nn("Document"),
        move |ctx| {
            FieldFuture::new(async move {
                let case_id = id_arg(&ctx.args, "caseId")?;
                let folder_id = opt_id(&ctx, "folderId")?;
                let (filename, content_type, mut file) = upload_arg(&ctx)?;
                let upload = Upload {
                    filename,
                    content_type,
                    content: &mut file,
                };
                let request_id = if portal {
                    opt_id(&ctx, "requestId")?
                } else {
                    None
                };
                let doc = if let Some(request_id) = request_id {
                    // Into a documents request: its case must be the one named.
                    let h = crate::args::portal(&ctx)?;
                    let request = h.client_request(request_id).await.map_err(engine_err)?;
                    if request.case_id != case_id {
                        return Err(crate::error::invalid(
                            "requestId",
                            "the request is not on this case",
                        ));
                    }
                    h.upload_to_client_request(request_id, folder_id, upload)
                        .await
                } else if portal {
                    crate::args::portal(&ctx)?
                        .upload_document(case_id, folder_id, upload)
                        .await
                } else {
                    staff(&ctx)?
                        .upload_document(case_id, folder_id, upload)
                        .await
                }
                .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(doc)))
            })
        },
    )
    .argument(InputValue::new("caseId", TypeRef::named_nn(TypeRef::ID)))
    .argument(InputValue::new("folderId", TypeRef::named(TypeRef::ID)))
    .argument(InputValue::new("file", TypeRef::named_nn(TypeRef::UPLOAD)))
}

/// The portal's `uploadDocument`, which may also name the documents request it answers.
fn portal_upload_field() -> Field {
    upload_field(true).argument(
        InputValue::new("requestId", TypeRef::named(TypeRef::ID)).description(
            "A documents request of yours on this case: the file goes into it (and its folder).",
        ),
    )
}

pub fn staff_queries() -> Vec<Field> {
    vec![
        Field::new("document", TypeRef::named("Document"), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                let d = staff(&ctx)?
                    .document(id)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(d)))
            })
        })
        .argument(InputValue::new("id", TypeRef::named_nn(TypeRef::ID))),
        list_arguments(Field::new(
            "sharedDocuments",
            TypeRef::named_nn_list_nn("Document"),
            |ctx| {
                FieldFuture::new(async move {
                    let case_id = id_arg(&ctx.args, "caseId")?;
                    let contact_id = id_arg(&ctx.args, "contactId")?;
                    let how = document_query(&ctx)?;
                    let list = staff(&ctx)?
                        .shared_documents(case_id, contact_id, &how)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(documents_value(list)))
                })
            },
        ))
        .argument(InputValue::new("caseId", TypeRef::named_nn(TypeRef::ID)))
        .argument(InputValue::new("contactId", TypeRef::named_nn(TypeRef::ID)))
        .description("\"Shared (visible on portal)\": what the contact sees on the case, their own uploads included (`origin: CLIENT_PORTAL`, `uploadedBy`)."),
    ]
}

pub fn staff_mutations() -> Vec<Field> {
    use TypeRef as T;
    let id = |n: &str| InputValue::new(n, T::named_nn(T::ID));
    vec![
        upload_field(false),
        Field::new("replaceDocumentContent", T::named_nn("Document"), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                let (filename, content_type, mut file) = upload_arg(&ctx)?;
                let upload = Upload { filename, content_type, content: &mut file };
                let d = staff(&ctx)?
                    .replace_document_content(id, upload)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(d)))
            })
        })
        .argument(id("id"))
        .argument(InputValue::new("file", T::named_nn(T::UPLOAD)))
        .description("New content: the version goes up; the portal shows the new one."),
        Field::new("renameDocument", T::named_nn("Document"), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                let name = string(&ctx.args, "name")?;
                let d = staff(&ctx)?
                    .rename_document(id, &name)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(d)))
            })
        })
        .argument(id("id"))
        .argument(InputValue::new("name", T::named_nn(T::STRING))),
        Field::new("deleteDocument", T::named_nn(T::BOOLEAN), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                staff(&ctx)?
                    .delete_document(id)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(Value::from(true)))
            })
        })
        .argument(id("id"))
        .description("Deletes it from the case and from every portal."),
        Field::new("createFolder", T::named_nn("Folder"), |ctx| {
            FieldFuture::new(async move {
                let case_id = id_arg(&ctx.args, "caseId")?;
                let name = string(&ctx.args, "name")?;
                let parent = opt_id(&ctx, "parentId")?;
                let f = staff(&ctx)?
                    .create_folder(case_id, &name, parent)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(f)))
            })
        })
        .argument(id("caseId"))
        .argument(InputValue::new("name", T::named_nn(T::STRING)))
        .argument(InputValue::new("parentId", T::named(T::ID))),
        Field::new("shareDocuments", T::named_nn_list_nn("Document"), |ctx| {
            FieldFuture::new(async move {
                let case_id = id_arg(&ctx.args, "caseId")?;
                let contact_id = id_arg(&ctx.args, "contactId")?;
                let mut ids = Vec::new();
                for v in ctx.args.try_get("documentIds")?.list()?.iter() {
                    ids.push(parse_id(v.string()?, "documentIds")?);
                }
                let list = staff(&ctx)?
                    .share_documents(case_id, contact_id, &ids)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(documents_value(list)))
            })
        })
        .argument(id("caseId"))
        .argument(id("contactId"))
        .argument(InputValue::new("documentIds", T::named_nn_list_nn(T::ID)))
        .description("Shares case documents with a contact who has portal access to the case; answers their shared list."),
        Field::new("unshareDocument", T::named_nn(T::BOOLEAN), |ctx| {
            FieldFuture::new(async move {
                let removed = staff(&ctx)?
                    .unshare_document(id_arg(&ctx.args, "caseId")?,
                        id_arg(&ctx.args, "contactId")?,
                        id_arg(&ctx.args, "documentId")?,
                    )
                    .await
                    .map_err(engine_err)?;
                Ok(Some(Value::from(removed)))
            })
        })
        .argument(id("caseId"))
        .argument(id("contactId"))
        .argument(id("documentId"))
        .description("Removes a document from one contact's portal; it stays in the case."),
    ]
}

pub fn portal_queries() -> Vec<Field> {
    vec![
        list_arguments(Field::new(
            "documents",
            TypeRef::named_nn_list_nn("Document"),
            |ctx| {
                FieldFuture::new(async move {
                    let case_id = id_arg(&ctx.args, "caseId")?;
                    let how = document_query(&ctx)?;
                    let list = portal(&ctx)?
                        .documents(case_id, &how)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(documents_value(list)))
                })
            },
        ))
        .argument(InputValue::new("caseId", TypeRef::named_nn(TypeRef::ID)))
        .description("The documents shared with you on the case, and those you uploaded."),
        Field::new("folders", TypeRef::named_nn_list_nn("Folder"), |ctx| {
            FieldFuture::new(async move {
                let case_id = id_arg(&ctx.args, "caseId")?;
                let list = portal(&ctx)?.folders(case_id).await.map_err(engine_err)?;
                Ok(Some(FieldValue::list(
                    list.into_iter().map(FieldValue::owned_any),
                )))
            })
        })
        .argument(InputValue::new("caseId", TypeRef::named_nn(TypeRef::ID)))
        .description("The case's folders, to upload into."),
    ]
}

pub fn portal_mutations() -> Vec<Field> {
    vec![portal_upload_field().description(
        "Uploads a document to one of your cases (into a folder staff made, if you like).",
    )]
}
