//! `indicators`: counts for the current organisation, for the portal's dashboard.

use crate::args::{engine_err, portal};
use crate::connection::sync_field;
use async_graphql::dynamic::{Field, FieldFuture, FieldValue, Object, TypeRef};
use portico_engine::portal::{Bucket, Indicator};

pub fn objects() -> Vec<Object> {
    vec![
        Object::new("Indicator")
            .field(sync_field::<Indicator>(
                "key",
                TypeRef::named_nn(TypeRef::STRING),
                |i| Some(FieldValue::value(i.key)),
            ))
            .field(sync_field::<Indicator>(
                "title",
                TypeRef::named_nn(TypeRef::STRING),
                |i| Some(FieldValue::value(i.title)),
            ))
            .field(sync_field::<Indicator>(
                "buckets",
                TypeRef::named_nn_list_nn("IndicatorBucket"),
                |i| {
                    Some(FieldValue::list(
                        i.buckets.iter().map(|b| FieldValue::borrowed_any(b)),
                    ))
                },
            )),
        Object::new("IndicatorBucket")
            .field(sync_field::<Bucket>(
                "label",
                TypeRef::named_nn(TypeRef::STRING),
                |b| Some(FieldValue::value(b.label.clone())),
            ))
            .field(sync_field::<Bucket>(
                "count",
                TypeRef::named_nn(TypeRef::INT),
                |b| Some(FieldValue::value(b.count)),
            ))
            .field(
                sync_field::<Bucket>("amount", TypeRef::named(TypeRef::FLOAT), |b| {
                    b.amount.map(FieldValue::value)
                })
                .description("The sum of the deals' amounts; none for cases."),
            )
            .field(
                sync_field::<Bucket>("closed", TypeRef::named_nn(TypeRef::BOOLEAN), |b| {
                    Some(FieldValue::value(b.closed))
                })
                .description("Whether the option means finished (a closed case, a won or lost deal), as the admin marked it in the field editor."),
            ),
    ]
}

pub fn query_fields() -> Vec<Field> {
    vec![
        Field::new("indicators", TypeRef::named_nn_list_nn("Indicator"), |ctx| {
            FieldFuture::new(async move {
                let list = portal(&ctx)?
                    .indicators()
                    .await
                    .map_err(engine_err)?;
                Ok(Some(FieldValue::list(list.into_iter().map(FieldValue::owned_any))))
            })
        })
        .description("For the current organisation: cases by status (`casesByStatus`), deals by stage (`dealsByStage`) and by owner (`dealsByOwner`)."),
    ]
}
