//! The firm's brand: its name, welcome text, colour, currency and logo, set by an admin and
//! shown on the portal, the sign-in page and in every email.
//!
//! It is stored in one row and held by every process beside the metadata: a change bumps the
//! metadata version, so every process reloads it on its next request, as it does fields.

mod colour;
mod logo;

pub use colour::{MIN_CONTRAST, worst_contrast};
pub use logo::{Logo, MAX_LOGO_BYTES};

use crate::Engine;
use crate::db::now_micros;
use crate::db::tables::Branding as Table;
use crate::error::{EngineError, Result};
use crate::identity::{Action, Object, Principal};
use crate::state::{self, Counter};
use sea_orm::sea_query::{Expr, ExprTrait, LockType, Query};
use sea_orm::{ConnectionTrait, TransactionTrait};

pub const DEFAULT_COLOR: &str = "#1d4ed8";
pub const DEFAULT_CURRENCY: &str = "EUR";
const MAX_NAME: usize = 120;
const MAX_WELCOME: usize = 2000;

#[derive(Debug, Clone, PartialEq)]
pub struct Branding {
    /// Empty: the portal's own name ("Client portal") is shown.
    pub firm_name: String,
    pub welcome_text: String,
    /// `#rrggbb`, with at least [`MIN_CONTRAST`] against white and the light header.
    pub primary_color: String,
    /// ISO 4217 code amounts are shown in.
    pub currency: String,
    pub logo: Option<Logo>,
}

impl Default for Branding {
    fn default() -> Self {
        Branding {
            firm_name: String::new(),
            welcome_text: String::new(),
            primary_color: DEFAULT_COLOR.into(),
            currency: DEFAULT_CURRENCY.into(),
            logo: None,
        }
    }
}

impl Branding {
    /// Where the logo is served, below the public URL: the fingerprint in the name lets it be
    /// cached for good.
    pub fn logo_path(&self) -> Option<String> {
        self.logo
            .as_ref()
            .map(|l| format!("/branding/logo-{}.{}", l.hash, l.extension()))
    }
}

/// What an admin changes; `None` leaves a value as it is.
#[derive(Debug, Clone, Default)]
pub struct BrandingChange {
    pub firm_name: Option<String>,
    pub welcome_text: Option<String>,
    pub primary_color: Option<String>,
    pub currency: Option<String>,
}

fn text(value: &str, field: &str, max: usize, multiline: bool) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(EngineError::validation(
            field,
            format!("at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\r' || c == '\t')))
    {
        return Err(EngineError::validation(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value.replace("\r\n", "\n"))
}

fn currency(value: &str) -> Result<String> {
    let code = value.trim().to_ascii_uppercase();
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(EngineError::validation(
            "currency",
            format!("`{value}` is not a currency code of three letters (EUR, USD, GBP...)"),
        ));
    }
    Ok(code)
}

impl BrandingChange {
    /// Applies the change to `current`, checking each value given.
    fn apply(self, current: &Branding) -> Result<Branding> {
        let mut next = current.clone();
        if let Some(name) = self.firm_name {
            next.firm_name = text(&name, "firmName", MAX_NAME, false)?;
        }
        if let Some(welcome) = self.welcome_text {
            next.welcome_text = text(&welcome, "welcomeText", MAX_WELCOME, true)?;
        }
        if let Some(c) = self.primary_color {
            next.primary_color = colour::parse(&c)?;
        }
        if let Some(c) = self.currency {
            next.currency = currency(&c)?;
        }
        Ok(next)
    }
}

/// Reads the row; a missing row (a database from before it) reads as the defaults.
pub(crate) async fn load(db: &impl ConnectionTrait) -> Result<Branding> {
    read(db, false).await
}

/// `for_update`: inside a change's transaction, so two admins saving at once take turns.
async fn read(db: &impl ConnectionTrait, for_update: bool) -> Result<Branding> {
    let mut q = Query::select();
    q.columns([
        Table::FirmName,
        Table::WelcomeText,
        Table::PrimaryColor,
        Table::Currency,
        Table::Logo,
        Table::LogoType,
    ])
    .from(Table::Table)
    .and_where(Expr::col(Table::Id).eq(1));
    // Two admins saving at once: the second reads after the first commits (SQLite has one
    // writer at a time already). A plain read (every process after a change) takes no lock.
    if for_update && db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        q.lock(LockType::Update);
    }
    let Some(row) = db.query_one(&q).await? else {
        return Ok(Branding::default());
    };
    let logo_type: Option<String> = row.try_get("", "logo_type")?;
    let logo_bytes: Option<Vec<u8>> = row.try_get("", "logo")?;
    Ok(Branding {
        firm_name: row.try_get("", "firm_name")?,
        welcome_text: row.try_get("", "welcome_text")?,
        primary_color: row.try_get("", "primary_color")?,
        currency: row.try_get("", "currency")?,
        logo: match (logo_type, logo_bytes) {
            (Some(t), Some(b)) => Logo::stored(&t, b),
            _ => None,
        },
    })
}

async fn store(db: &impl ConnectionTrait, b: &Branding) -> Result<()> {
    let (logo, logo_type, logo_hash) = match &b.logo {
        Some(l) => (
            Some(l.bytes.to_vec()),
            Some(l.content_type.to_owned()),
            Some(l.hash.clone()),
        ),
        None => (None, None, None),
    };
    let q = Query::update()
        .table(Table::Table)
        .value(Table::FirmName, b.firm_name.clone())
        .value(Table::WelcomeText, b.welcome_text.clone())
        .value(Table::PrimaryColor, b.primary_color.clone())
        .value(Table::Currency, b.currency.clone())
        .value(Table::Logo, logo)
        .value(Table::LogoType, logo_type)
        .value(Table::LogoHash, logo_hash)
        .value(Table::UpdatedAt, now_micros())
        .and_where(Expr::col(Table::Id).eq(1))
        .to_owned();
    db.execute(&q).await?;
    Ok(())
}

impl Engine {
    /// The brand as of this process's last sync: open to everyone, signed in or not (the
    /// sign-in page wears it).
    pub fn branding(&self) -> std::sync::Arc<Branding> {
        self.branding.load_full()
    }

    /// The logo's address as a link that works anywhere (an email, an integrator's page).
    pub fn branding_logo_url(&self, branding: &Branding) -> Option<String> {
        branding.logo_path().map(|p| self.links.absolute(&p))
    }

    pub(crate) async fn update_branding(
        &self,
        p: &Principal,
        change: BrandingChange,
    ) -> Result<std::sync::Arc<Branding>> {
        self.authorize(p, Object::Branding, Action::Update)?;
        self.change_branding(|current| change.apply(current)).await
    }

    /// `None` removes the logo.
    pub(crate) async fn set_branding_logo(
        &self,
        p: &Principal,
        bytes: Option<&[u8]>,
    ) -> Result<std::sync::Arc<Branding>> {
        self.authorize(p, Object::Branding, Action::Update)?;
        let logo = bytes.map(logo::check).transpose()?;
        self.change_branding(|current| {
            Ok(Branding {
                logo,
                ..current.clone()
            })
        })
        .await
    }

    /// Reads the stored row, applies `f` and stores it with a metadata bump in one
    /// transaction, so two admins' changes to different values both survive.
    async fn change_branding(
        &self,
        f: impl FnOnce(&Branding) -> Result<Branding>,
    ) -> Result<std::sync::Arc<Branding>> {
        let gate = self.write_gate().await;
        let txn = self.writer.begin().await?;
        let current = read(&txn, true).await?;
        let next = f(&current)?;
        store(&txn, &next).await?;
        state::bump(&txn, Counter::Metadata).await?;
        txn.commit().await?;
        drop(gate);
        self.changed().await?;
        Ok(self.branding())
    }
}
