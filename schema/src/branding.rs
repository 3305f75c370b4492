//! The firm's brand over GraphQL: read by anyone on either endpoint (the sign-in page wears
//! it), changed by admins.

use crate::args::{engine, engine_err, opt_string, staff};
use crate::connection::sync_field;
use async_graphql::Result;
use async_graphql::dynamic::{
    Field, FieldFuture, FieldValue, InputObject, InputValue, Object, TypeRef,
};
use portico_engine::branding::{Branding, BrandingChange, MAX_LOGO_BYTES};
use std::io::Read;
use std::sync::Arc;

/// What a resolver hands on: the brand and its logo's absolute address.
struct BrandingView {
    branding: Arc<Branding>,
    logo_url: Option<String>,
}

fn view(
    ctx: &async_graphql::dynamic::ResolverContext<'_>,
    branding: Arc<Branding>,
) -> Result<FieldValue<'static>> {
    let logo_url = engine(ctx)?.branding_logo_url(&branding);
    Ok(FieldValue::owned_any(BrandingView { branding, logo_url }))
}

pub fn object() -> Object {
    let text = |name: &'static str, f: fn(&Branding) -> &String| {
        sync_field::<BrandingView>(name, TypeRef::named_nn(TypeRef::STRING), move |v| {
            Some(FieldValue::value(f(&v.branding).clone()))
        })
    };
    Object::new("Branding")
        .description("The firm's brand, on the portal, the sign-in page and every email.")
        .field(
            text("firmName", |b| &b.firm_name)
                .description("Empty: the portal's own name is shown."),
        )
        .field(
            text("welcomeText", |b| &b.welcome_text)
                .description("Plain text; line breaks are kept."),
        )
        .field(text("primaryColor", |b| &b.primary_color).description(
            "#rrggbb, readable as white text on it and as link text on white (WCAG AA).",
        ))
        .field(text("currency", |b| &b.currency).description("ISO 4217 code amounts are shown in."))
        .field(
            sync_field::<BrandingView>("logoUrl", TypeRef::named(TypeRef::STRING), |v| {
                v.logo_url.clone().map(FieldValue::value)
            })
            .description(
                "Absolute address of the logo (PNG, JPEG or cleaned SVG); null when none.",
            ),
        )
}

/// `branding`, on both endpoints and without credentials.
pub fn query_field() -> Field {
    Field::new("branding", TypeRef::named_nn("Branding"), |ctx| {
        FieldFuture::new(async move {
            let branding = engine(&ctx)?.branding();
            view(&ctx, branding).map(Some)
        })
    })
}

pub fn inputs() -> Vec<InputObject> {
    let s = |n: &str| InputValue::new(n, TypeRef::named(TypeRef::STRING));
    vec![
        InputObject::new("BrandingInput")
            .description("Each value left out stays as it is.")
            .field(s("firmName"))
            .field(s("welcomeText"))
            .field(s("primaryColor"))
            .field(s("currency")),
    ]
}

pub fn mutation_fields() -> Vec<Field> {
    vec![
        Field::new("updateBranding", TypeRef::named_nn("Branding"), |ctx| {
            FieldFuture::new(async move {
                let input = ctx.args.try_get("input")?.object()?;
                let change = BrandingChange {
                    firm_name: opt_string(&input, "firmName")?,
                    welcome_text: opt_string(&input, "welcomeText")?,
                    primary_color: opt_string(&input, "primaryColor")?,
                    currency: opt_string(&input, "currency")?,
                };
                let b = staff(&ctx)?.update_branding(change).await.map_err(engine_err)?;
                view(&ctx, b).map(Some)
            })
        })
        .argument(InputValue::new("input", TypeRef::named_nn("BrandingInput")))
        .description("Admins only. A colour below the contrast WCAG AA asks is refused (VALIDATION, field primaryColor)."),
        Field::new("uploadBrandingLogo", TypeRef::named_nn("Branding"), |ctx| {
            FieldFuture::new(async move {
                let up = ctx.args.try_get("file")?.upload()?;
                let mut bytes = Vec::new();
                // One byte past the limit is enough to refuse it, whatever was sent.
                up.value(ctx.ctx)?
                    .content
                    .take(MAX_LOGO_BYTES as u64 + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| async_graphql::Error::new(format!("reading the upload: {e}")))?;
                let b = staff(&ctx)?
                    .set_branding_logo(Some(&bytes))
                    .await
                    .map_err(engine_err)?;
                view(&ctx, b).map(Some)
            })
        })
        .argument(InputValue::new("file", TypeRef::named_nn(TypeRef::UPLOAD)))
        .description("Admins only. PNG, JPEG or SVG (rebuilt without script, handlers or outside references), at most 512 KiB."),
        Field::new("removeBrandingLogo", TypeRef::named_nn(TypeRef::BOOLEAN), |ctx| {
            FieldFuture::new(async move {
                staff(&ctx)?.set_branding_logo(None).await.map_err(engine_err)?;
                Ok(Some(FieldValue::value(true)))
            })
        })
        .description("Admins only."),
    ]
}
