//! Staff identity in the API: sessions, staff users, permission groups and API tokens.

use crate::args::{
    engine, engine_err, id_arg, opt_bool, opt_string, parse_id, request_info, staff, string,
};
use crate::scalars::DATE_TIME;
use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputObject, InputValue, Object, ObjectAccessor, TypeRef,
};
use async_graphql::{Result, Value};
use portico_engine::error::ErrorCode;
use portico_engine::identity::{
    ApiToken, NewPermissionGroup, NewStaffUser, PermissionGroup, Session, StaffUser,
    StaffUserChange,
};
use portico_engine::micros_to_rfc3339;

fn get<T: std::any::Any + Send + Sync>(
    name: &'static str,
    ty: TypeRef,
    f: fn(&T) -> Value,
) -> Field {
    Field::new(name, ty, move |ctx| {
        FieldFuture::new(async move {
            let v = ctx.parent_value.try_downcast_ref::<T>()?;
            Ok(Some(f(v)))
        })
    })
}

/// A nullable field: `None` is null.
fn get_opt<T: std::any::Any + Send + Sync>(
    name: &'static str,
    ty: TypeRef,
    f: fn(&T) -> Option<Value>,
) -> Field {
    Field::new(name, ty, move |ctx| {
        FieldFuture::new(async move {
            let v = ctx.parent_value.try_downcast_ref::<T>()?;
            Ok(f(v))
        })
    })
}

/// `Session`, shared by the staff and portal schemas.
pub fn session_object() -> Object {
    use TypeRef as T;
    Object::new("Session")
        .description("A login. Send the token as `Authorization: Bearer <token>`.")
        .field(get::<Session>("token", T::named_nn(T::STRING), |s| {
            Value::from(s.token.clone())
        }))
        .field(get::<Session>("expiresAt", T::named_nn(DATE_TIME), |s| {
            Value::from(micros_to_rfc3339(s.expires_at))
        }))
}

pub fn objects() -> Vec<Object> {
    use TypeRef as T;
    let nn = |t: &str| T::named_nn(t);
    vec![
        session_object(),
        Object::new("StaffUser")
            .field(get::<StaffUser>("id", nn(T::ID), |u| {
                Value::from(u.id.to_string())
            }))
            .field(get::<StaffUser>("name", nn(T::STRING), |u| {
                Value::from(u.name.clone())
            }))
            .field(get::<StaffUser>("email", nn(T::STRING), |u| {
                Value::from(u.email.clone())
            }))
            .field(get::<StaffUser>("active", nn(T::BOOLEAN), |u| {
                Value::from(u.active)
            }))
            .field(
                get_opt::<StaffUser>("timeZone", T::named(T::STRING), |u| {
                    u.time_zone.clone().map(Value::from)
                })
                .description("Where the dates in their emails are written for (an IANA name); null: the installation's."),
            )
            .field(
                get::<StaffUser>("invitationPending", nn(T::BOOLEAN), |u| {
                    Value::from(u.invitation_pending)
                })
                .description("Invited by email and no password chosen yet: they cannot sign in until they do."),
            )
            .field(get::<StaffUser>("createdAt", nn(DATE_TIME), |u| {
                Value::from(micros_to_rfc3339(u.created_at))
            }))
            .field(
                get_opt::<StaffUser>("language", T::named(T::STRING), |u| {
                    u.language.clone().map(Value::from)
                })
                .description("The UI language they chose (`es`, `en`); null until they choose."),
            )
            .field(Field::new(
                "groups",
                T::named_nn_list_nn("PermissionGroup"),
                |ctx| {
                    FieldFuture::new(async move {
                        let u = ctx.parent_value.try_downcast_ref::<StaffUser>()?;
                        let groups = staff(&ctx)?.permission_groups().await.map_err(engine_err)?;
                        let mine = groups.into_iter().filter(|g| u.group_ids.contains(&g.id));
                        Ok(Some(FieldValue::list(mine.map(FieldValue::owned_any))))
                    })
                },
            )),
        Object::new("PermissionGroup")
            .description("A set of permissions; a staff user in no group is plain staff.")
            .field(get::<PermissionGroup>("id", nn(T::ID), |g| {
                Value::from(g.id.to_string())
            }))
            .field(get::<PermissionGroup>("name", nn(T::STRING), |g| {
                Value::from(g.name.clone())
            }))
            .field(get::<PermissionGroup>("admin", nn(T::BOOLEAN), |g| {
                Value::from(g.admin)
            }))
            .field(get::<PermissionGroup>(
                "portalAccess",
                nn(T::BOOLEAN),
                |g| Value::from(g.portal_access),
            )),
        Object::new("ApiToken")
            .description("A token for integrators, acting as the user who created it.")
            .field(get::<ApiToken>("id", nn(T::ID), |t| {
                Value::from(t.id.to_string())
            }))
            .field(get::<ApiToken>("name", nn(T::STRING), |t| {
                Value::from(t.name.clone())
            }))
            .field(get::<ApiToken>("token", T::named(T::STRING), |t| {
                t.token.clone().map_or(Value::Null, Value::from)
            }))
            .field(get::<ApiToken>("createdAt", nn(DATE_TIME), |t| {
                Value::from(micros_to_rfc3339(t.created_at))
            }))
            .field(get_opt::<ApiToken>(
                "lastUsedAt",
                T::named(DATE_TIME),
                |t| t.last_used_at.map(|v| Value::from(micros_to_rfc3339(v))),
            ))
            .field(get_opt::<ApiToken>("expiresAt", T::named(DATE_TIME), |t| {
                t.expires_at.map(|v| Value::from(micros_to_rfc3339(v)))
            })),
    ]
}

pub fn inputs() -> Vec<InputObject> {
    use TypeRef as T;
    vec![
        InputObject::new("CreateStaffUserInput")
            .field(InputValue::new("name", T::named_nn(T::STRING)))
            .field(InputValue::new("email", T::named_nn(T::STRING)))
            .field(
                InputValue::new("password", T::named(T::STRING)).description(
                    "Left out: the user gets an email with a link to choose their own.",
                ),
            )
            .field(InputValue::new("groups", T::named_nn_list(T::ID))),
        InputObject::new("UpdateStaffUserInput")
            .field(InputValue::new("name", T::named(T::STRING)))
            .field(InputValue::new("email", T::named(T::STRING)))
            .field(InputValue::new("password", T::named(T::STRING)))
            .field(InputValue::new("active", T::named(T::BOOLEAN)))
            .field(InputValue::new("groups", T::named_nn_list(T::ID))),
        InputObject::new("CreatePermissionGroupInput")
            .field(InputValue::new("name", T::named_nn(T::STRING)))
            .field(InputValue::new("admin", T::named(T::BOOLEAN)).default_value(false))
            .field(InputValue::new("portalAccess", T::named(T::BOOLEAN)).default_value(false)),
        InputObject::new("UpdatePermissionGroupInput")
            .field(InputValue::new("name", T::named(T::STRING)))
            .field(InputValue::new("admin", T::named(T::BOOLEAN)))
            .field(InputValue::new("portalAccess", T::named(T::BOOLEAN))),
    ]
}

fn groups(input: &ObjectAccessor<'_>) -> Result<Option<Vec<i64>>> {
    match input.get("groups") {
        Some(v) if !v.is_null() => Ok(Some(
            v.list()?
                .iter()
                .map(|g| parse_id(g.string()?, "groups"))
                .collect::<Result<_>>()?,
        )),
        _ => Ok(None),
    }
}

pub fn query_fields() -> Vec<Field> {
    vec![
        Field::new("me", TypeRef::named("StaffUser"), |ctx| {
            FieldFuture::new(async move {
                let me = staff(&ctx)?;
                let Some(id) = me.user_id() else {
                    return Err(engine_err(portico_engine::EngineError::Unauthenticated));
                };
                let u = me.staff_user(id).await.map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(u)))
            })
        })
        .description("The staff user making the request."),
        Field::new(
            "staffUsers",
            TypeRef::named_nn_list_nn("StaffUser"),
            |ctx| {
                FieldFuture::new(async move {
                    let users = staff(&ctx)?
                        .staff_users()
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::list(
                        users.into_iter().map(FieldValue::owned_any),
                    )))
                })
            },
        ),
        Field::new(
            "apiTokens",
            TypeRef::named_nn_list_nn("ApiToken"),
            |ctx| {
                FieldFuture::new(async move {
                    let user_id = match opt_string(&ctx.args, "userId")? {
                        Some(raw) => Some(parse_id(&raw, "userId")?),
                        None => None,
                    };
                    let tokens = staff(&ctx)?
                        .api_tokens(user_id)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::list(
                        tokens.into_iter().map(FieldValue::owned_any),
                    )))
                })
            },
        )
        .description("The caller's API tokens (an admin may name another user), newest first; never their secret.")
        .argument(InputValue::new("userId", TypeRef::named(TypeRef::ID))),
        Field::new(
            "permissionGroups",
            TypeRef::named_nn_list_nn("PermissionGroup"),
            |ctx| {
                FieldFuture::new(async move {
                    let groups = staff(&ctx)?
                        .permission_groups()
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::list(
                        groups.into_iter().map(FieldValue::owned_any),
                    )))
                })
            },
        ),
    ]
}

pub fn mutation_fields() -> Vec<Field> {
    use TypeRef as T;
    vec![
        Field::new("login", T::named_nn("Session"), |ctx| {
            FieldFuture::new(async move {
                let email = string(&ctx.args, "email")?;
                let password = string(&ctx.args, "password")?;
                let address = request_info(&ctx).and_then(|r| r.client_address);
                let s = engine(&ctx)?
                    .login(&email, &password, address.as_deref())
                    .await
                    .map_err(|e| match e {
                        portico_engine::EngineError::Unauthenticated => {
                            async_graphql::ErrorExtensions::extend_with(
                                async_graphql::Error::new("wrong email or password"),
                                |_, x| x.set("code", ErrorCode::Unauthenticated.as_str()),
                            )
                        }
                        e => engine_err(e),
                    })?;
                Ok(Some(FieldValue::owned_any(s)))
            })
        })
        .argument(InputValue::new("email", T::named_nn(T::STRING)))
        .argument(InputValue::new("password", T::named_nn(T::STRING))),
        Field::new("logout", T::named_nn(T::BOOLEAN), |ctx| {
            FieldFuture::new(async move {
                let ended = staff(&ctx)?.logout().await.map_err(engine_err)?;
                Ok(Some(Value::from(ended)))
            })
        }),
        Field::new("createStaffUser", T::named_nn("StaffUser"), |ctx| {
            FieldFuture::new(async move {
                let input = ctx.args.try_get("input")?.object()?;
                let new = NewStaffUser {
                    name: string(&input, "name")?,
                    email: string(&input, "email")?,
                    password: opt_string(&input, "password")?,
                    groups: groups(&input)?.unwrap_or_default(),
                };
                let u = staff(&ctx)?
                    .create_staff_user(new)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(u)))
            })
        })
        .argument(InputValue::new(
            "input",
            T::named_nn("CreateStaffUserInput"),
        )),
        Field::new("updateStaffUser", T::named_nn("StaffUser"), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                let input = ctx.args.try_get("input")?.object()?;
                let change = StaffUserChange {
                    name: opt_string(&input, "name")?,
                    email: opt_string(&input, "email")?,
                    password: opt_string(&input, "password")?,
                    active: opt_bool(&input, "active")?,
                    groups: groups(&input)?,
                };
                let u = staff(&ctx)?
                    .update_staff_user(id, change)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(u)))
            })
        })
        .argument(InputValue::new("id", T::named_nn(T::ID)))
        .argument(InputValue::new(
            "input",
            T::named_nn("UpdateStaffUserInput"),
        )),
        Field::new(
            "createPermissionGroup",
            T::named_nn("PermissionGroup"),
            |ctx| {
                FieldFuture::new(async move {
                    let input = ctx.args.try_get("input")?.object()?;
                    let new = NewPermissionGroup {
                        name: string(&input, "name")?,
                        admin: opt_bool(&input, "admin")?.unwrap_or(false),
                        portal_access: opt_bool(&input, "portalAccess")?.unwrap_or(false),
                    };
                    let g = staff(&ctx)?
                        .create_permission_group(new)
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::owned_any(g)))
                })
            },
        )
        .argument(InputValue::new(
            "input",
            T::named_nn("CreatePermissionGroupInput"),
        )),
        Field::new(
            "updatePermissionGroup",
            T::named_nn("PermissionGroup"),
            |ctx| {
                FieldFuture::new(async move {
                    let id = id_arg(&ctx.args, "id")?;
                    let input = ctx.args.try_get("input")?.object()?;
                    let g = staff(&ctx)?
                        .update_permission_group(
                            id,
                            opt_string(&input, "name")?,
                            opt_bool(&input, "admin")?,
                            opt_bool(&input, "portalAccess")?,
                        )
                        .await
                        .map_err(engine_err)?;
                    Ok(Some(FieldValue::owned_any(g)))
                })
            },
        )
        .argument(InputValue::new("id", T::named_nn(T::ID)))
        .argument(InputValue::new(
            "input",
            T::named_nn("UpdatePermissionGroupInput"),
        )),
        Field::new("createApiToken", T::named_nn("ApiToken"), |ctx| {
            FieldFuture::new(async move {
                let name = string(&ctx.args, "name")?;
                let expires_at = match opt_string(&ctx.args, "expiresAt")? {
                    Some(raw) => Some(date_time(&raw, "expiresAt")?),
                    None => None,
                };
                let t = staff(&ctx)?
                    .create_api_token(&name, expires_at)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(t)))
            })
        })
        .argument(InputValue::new("name", T::named_nn(T::STRING)))
        .argument(InputValue::new("expiresAt", T::named(DATE_TIME))),
        Field::new("revokeApiToken", T::named_nn(T::BOOLEAN), |ctx| {
            FieldFuture::new(async move {
                let id = id_arg(&ctx.args, "id")?;
                let ended = staff(&ctx)?
                    .revoke_api_token(id)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(Value::from(ended)))
            })
        })
        .description("Ends an API token at once. Your own, or any user's for an admin.")
        .argument(InputValue::new("id", T::named_nn(T::ID))),
        Field::new("changePassword", T::named_nn(T::BOOLEAN), |ctx| {
            FieldFuture::new(async move {
                let current = string(&ctx.args, "currentPassword")?;
                let new = string(&ctx.args, "newPassword")?;
                let revoke = ctx
                    .args
                    .get("revokeApiTokens")
                    .and_then(|v| v.boolean().ok())
                    .unwrap_or(false);
                let done = staff(&ctx)?
                    .change_password(&current, &new, revoke)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(Value::from(done)))
            })
        })
        .description("Changes your own password; your other sessions end, and with `revokeApiTokens: true` your API tokens too (they survive otherwise).")
        .argument(InputValue::new("currentPassword", T::named_nn(T::STRING)))
        .argument(InputValue::new("newPassword", T::named_nn(T::STRING)))
        .argument(
            InputValue::new("revokeApiTokens", T::named(T::BOOLEAN))
                .default_value(Value::from(false)),
        ),
        Field::new("setMyLanguage", T::named_nn("StaffUser"), |ctx| {
            FieldFuture::new(async move {
                let language = string(&ctx.args, "language")?;
                let me = staff(&ctx)?
                    .set_my_language(&language)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(me)))
            })
        })
        .description("Chooses your UI (and email) language: `es` or `en`.")
        .argument(InputValue::new("language", T::named_nn(T::STRING))),
        Field::new("setMyTimeZone", T::named_nn("StaffUser"), |ctx| {
            FieldFuture::new(async move {
                let zone = string(&ctx.args, "timeZone")?;
                let me = staff(&ctx)?
                    .set_my_time_zone(&zone)
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::owned_any(me)))
            })
        })
        .description("Chooses the time zone the dates in your emails are written in (`Europe/Madrid`); the staff UI sends your browser's when you have none.")
        .argument(InputValue::new("timeZone", T::named_nn(T::STRING))),
    ]
}

/// A `DateTime` argument as microseconds since the epoch.
fn date_time(raw: &str, field: &str) -> Result<i64> {
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|t| t.timestamp_micros())
        .map_err(|_| {
            engine_err(portico_engine::EngineError::validation(
                field,
                format!("`{field}` must be a date and time (RFC 3339)"),
            ))
        })
}
