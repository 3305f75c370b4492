//! The tables and columns the engine reads and writes, each named once.
//!
//! Query builders take these identifiers instead of string literals, so a column's name is
//! written in one place and a typo is a compile error rather than an SQL error at run time.
//! The migrations keep their own literal names on purpose: a migration records the schema as
//! it was on its day and must go on creating exactly that, whatever the tables are called
//! later. [`verify`] selects every column named here whenever the engine opens a database, so
//! every test, on SQLite and PostgreSQL, fails if this list and the migrations drift apart.
//!
//! Record tables (contacts, cases, deals) also have admin-defined fields, which live in the
//! `custom` JSON column; their system fields' columns are listed here for the engine's own
//! queries, while queries over any field go through `records::sql`, which names a column from
//! the field's key.

use crate::error::{EngineError, Result};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::SelectStatement;

/// Selects every declared column of every table (no rows), so that an engine opened on a
/// database whose tables differ from what it was built for (a newer process's migration rolled
/// back, a hand-edited schema, a typo here) stops at start with the table named, instead of
/// failing requests one query at a time.
pub(crate) async fn verify(db: &impl ConnectionTrait) -> Result<()> {
    for (table, q) in probes() {
        db.query_all(&q).await.map_err(|e| {
            EngineError::Internal(format!(
                "the database's {table} table does not have the columns this version uses: {e}"
            ))
        })?;
    }
    Ok(())
}

/// Declares each table as a `DeriveIden` enum (`Table` is the table's name, every other
/// member a column's, both in snake case) with `COLUMNS`, and `probes()`: one select of
/// every declared column per table.
macro_rules! tables {
    ($($(#[$meta:meta])* $table:ident { $($column:ident),+ $(,)? })+) => {
        $(
            $(#[$meta])*
            #[derive(sea_orm::DeriveIden, Debug, Clone, Copy, PartialEq, Eq)]
            pub(crate) enum $table {
                Table,
                $($column,)+
            }

            impl $table {
                /// Every column, in declaration order.
                #[allow(dead_code)]
                pub(crate) const COLUMNS: &'static [$table] = &[$($table::$column,)+];
            }
        )+

        /// One `SELECT <every declared column> FROM <table> WHERE 1 = 0` per table, with the
        /// table's enum name: run against a migrated database, each fails if a declared name
        /// does not exist. The columns are qualified with the table because SQLite takes an
        /// unknown bare `"name"` for a string literal instead of failing.
        fn probes() -> Vec<(&'static str, SelectStatement)> {
            use sea_orm::sea_query::{Expr, ExprTrait, Query};
            vec![$(
                (
                    stringify!($table),
                    Query::select()
                        .columns($table::COLUMNS.iter().map(|c| ($table::Table, *c)))
                        .from($table::Table)
                        .and_where(Expr::val(1).eq(0))
                        .to_owned(),
                ),
            )+]
        }
    };
}

tables! {
    /// One row (id 1) of version counters; see `state`.
    SystemState { Id, MetadataVersion, PolicyVersion, AuthVersion }
    StaffUsers { Id, Name, Email, PasswordHash, Active, Language, CreatedAt, UpdatedAt, TimeZone }
    PermissionGroups { Id, Name, Admin, PortalAccess, CreatedAt }
    StaffUserGroups { UserId, GroupId }
    /// Casbin's own table layout (`ptype`, `v0`..`v5`), read and written by `policy::adapter`.
    CasbinRule { Id, Ptype, V0, V1, V2, V3, V4, V5 }
    Sessions { Id, TokenHash, Audience, SubjectId, ExpiresAt, CreatedAt }
    ApiTokens { Id, Name, TokenHash, UserId, CreatedAt, ExpiresAt, LastUsedAt }
    RateCounters { Scope, WindowStart, Count }
    InstallationSecrets { Name, Value, CreatedAt }
    FieldDefinitions {
        Id, Entity, Key, Label, FieldType, Options, Required, Active, PortalVisible,
        PortalEditable, Block, Position, Help, System, DefaultOption, ClosedOptions, CreatedAt,
        UpdatedAt, Labels, Helps, OptionLabels,
    }
    /// One row (id 1): the firm's name, colour, currency, welcome text and logo.
    Branding {
        Id, FirmName, WelcomeText, PrimaryColor, Currency, Logo, LogoType, LogoHash, UpdatedAt,
    }
    Contacts { Id, Kind, Name, Email, Phone, PortalUser, Language, Custom, CreatedAt, UpdatedAt }
    Relationships { Id, IndividualId, OrganisationId, Role, CreatedAt }
    Cases { Id, Subject, Description, Status, OwnerId, ClientId, Custom, CreatedAt, UpdatedAt }
    CaseContacts { CaseId, ContactId, CreatedAt }
    ClientRequests {
        Id, CaseId, Kind, State, Title, Instructions, DueDate, FolderId, DocumentId, Questions,
        Answers, Comment, CreatedBy, CreatedAt, UpdatedAt, SubmittedAt,
    }
    ClientRequestContacts { RequestId, ContactId, Position }
    ClientRequestDocuments { RequestId, DocumentId }
    ClientRequestReminders { RequestId, ContactId, Step, SentAt }
    QuestionnaireTemplates { Id, Name, Questions, CreatedBy, UpdatedAt }
    SigningIdentity { Id, PrivateKey, Certificate, CreatedAt }
    DocumentSignatures {
        Id, RequestId, CaseId, DocumentId, DocumentName, ContactId, ContactName, ContactEmail,
        DeclaredName, SignedAt, DeclinedAt, Reason, Ip, UserAgent, OriginalSha256, SignedSha256,
    }
    RequestReminderSettings { Id, DaysBefore, OnDueDate, EveryDays, UpdatedAt }
    Deals { Id, Name, Amount, Stage, OwnerId, ClientId, Custom, CreatedAt, UpdatedAt }
    AuditEvents { Id, Entity, RecordId, ActorId, ActorName, Action, Detail, At }
    MailOutbox {
        Id, ToAddress, ToName, Kind, Language, Context, Status, Attempts, NextAttemptAt,
        ClaimedBy, ClaimedUntil, LastError, CreatedAt, SentAt, GatherKey,
    }
    EmailTemplates { Id, Kind, Language, Subject, Html, Text, UpdatedAt }
    PortalAccounts {
        ContactId, PasswordHash, InvitedAt, InvitationExpiresAt, AcceptedAt, OrganisationId,
        CreatedAt, TimeZone,
    }
    PortalTokens { Id, ContactId, Purpose, TokenHash, ExpiresAt, UsedAt, CreatedAt }
    StaffInvitations { Id, UserId, TokenHash, ExpiresAt, UsedAt, CreatedAt }
    CasePortalAccess { CaseId, ContactId, Enabled, CanDownload, UpdatedAt, CaseCreatedAt }
    Folders { Id, CaseId, ParentId, Name, CreatedBy, CreatedAt }
    Documents {
        Id, CaseId, FolderId, Name, DocType, Origin, CreatedBy, UploadedBy, Blob, Size,
        ContentType, Version, CreatedAt, UpdatedAt,
    }
    DocumentVersions { DocumentId, Version, Blob, Size, ContentType, CreatedAt }
    DocumentShares { DocumentId, ContactId, CaseId, CreatedAt }
    CaseNotificationRecipients { CaseId, UserId, InApp, Email, CreatedAt }
    Notifications { Id, UserId, CaseId, Kind, Message, Detail, ReadAt, CreatedAt }
    CaseMessages {
        Id, CaseId, AuthorUserId, AuthorContactId, AuthorName, Body, Internal, Via, CreatedAt,
        EditedAt, DeletedAt,
    }
    CaseMessageRecipients { MessageId, ContactId, CaseId, ReadAt }
    CaseMessageAttachments { MessageId, DocumentId }
    CaseMessageReads { CaseId, UserId, LastReadId, ReadAt }
    DocumentOpens { DocumentId, ContactId, FirstAt, LastAt }
    ContactNotificationSettings { ContactId, Kind, Mode, UpdatedAt }
    ClientDigestItems { Id, ContactId, CaseId, Kind, Detail, CreatedAt, SentAt }
    ClientDigestSettings { Id, SendAt, TimeZone, UpdatedAt }
    /// The folded words records are found by; see `records::search`.
    SearchWords { Entity, Word, RecordId }
}

/// Columns that several tables have under one name, for the queries whose table is chosen at
/// run time: a record table from its layout, or the table a reference field points at.
#[derive(sea_orm::DeriveIden, Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shared {
    Id,
    Custom,
    ClientId,
    CreatedAt,
    UpdatedAt,
}
