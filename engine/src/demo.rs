//! Sample data for `portico --demo`: a few organisations with their people, cases in every
//! status and deals in every stage, so a new installation has something to look at.

use crate::Engine;
use crate::error::Result;
use crate::identity::Principal;
use crate::metadata::EntityKind;
use crate::records::{ListQuery, Record};
use serde_json::{Map, Value, json};

fn values(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

const ORGANISATIONS: &[(&str, &str)] = &[
    ("Acme Logística S.L.", "info@acme-logistica.example"),
    ("Nordwind Trading GmbH", "office@nordwind.example"),
    ("Olivera & Asociados", "contacto@olivera.example"),
];

const PEOPLE: &[(&str, &str, usize)] = &[
    (
        "Lucía Fernández",
        "lucia.fernandez@acme-logistica.example",
        0,
    ),
    ("Javier Ortega", "javier.ortega@acme-logistica.example", 0),
    ("Anna Becker", "anna.becker@nordwind.example", 1),
    ("Marta Olivera", "marta@olivera.example", 2),
    ("Pablo Ruiz", "pablo.ruiz@olivera.example", 2),
];

const CASES: &[(&str, &str, &str)] = &[
    (
        "Invoice 2026-114 charged twice",
        "The October invoice appears twice on the statement.",
        "Open",
    ),
    (
        "Delivery to Valencia delayed",
        "Pallets for order 5581 have not arrived.",
        "In Progress",
    ),
    (
        "Contract renewal terms",
        "Please send the draft for the 2027 renewal.",
        "Waiting for Response",
    ),
    (
        "Password reset for the portal",
        "Cannot reset the password from the login page.",
        "Closed",
    ),
    (
        "Data export of all shipments",
        "We need a CSV export of this year's shipments.",
        "Open",
    ),
    (
        "Warranty claim for scanner",
        "Handheld scanner stopped charging.",
        "In Progress",
    ),
];

const DEALS: &[(&str, f64, &str)] = &[
    ("Fleet tracking rollout", 48000.0, "Proposal"),
    ("Warehouse automation pilot", 125000.0, "Qualification"),
    ("Annual support renewal", 18500.0, "Won"),
    ("Customs brokerage", 9200.0, "Negotiation"),
    ("Cold-chain monitoring", 31000.0, "Prospecting"),
    ("Legacy EDI migration", 22000.0, "Lost"),
];

/// Loads the sample data once; does nothing when contacts already exist.
pub(crate) async fn load(engine: &Engine) -> Result<bool> {
    let p = Principal::System;
    let existing = engine
        .list(
            &p,
            EntityKind::Contact,
            &ListQuery {
                first: Some(1),
                ..ListQuery::default()
            },
        )
        .await?;
    if !existing.records.is_empty() {
        return Ok(false);
    }
    let owner = engine.staff_users(&p).await?.first().map(|u| u.id);
    let mut orgs: Vec<Record> = Vec::new();
    for (name, email) in ORGANISATIONS {
        orgs.push(
            engine
                .create(
                    &p,
                    EntityKind::Contact,
                    values(json!({"name": name, "email": email, "kind": "Organisation"})),
                )
                .await?,
        );
    }
    let mut people = Vec::new();
    for (name, email, org) in PEOPLE {
        let person = engine
            .create(
                &p,
                EntityKind::Contact,
                values(json!({"name": name, "email": email, "kind": "Individual"})),
            )
            .await?;
        engine
            .add_relationship(&p, person.id, orgs[*org].id, Some("Employee".into()))
            .await?;
        people.push((person, *org));
    }
    for (i, (subject, description, status)) in CASES.iter().enumerate() {
        let org = &orgs[i % orgs.len()];
        let case = engine
            .create(
                &p,
                EntityKind::Case,
                values(json!({"subject": subject, "description": description, "status": status, "client": org.id, "owner": owner})),
            )
            .await?;
        for (person, person_org) in &people {
            if *person_org == i % orgs.len() {
                engine.add_case_contact(&p, case.id, person.id).await?;
            }
        }
    }
    for (i, (name, amount, stage)) in DEALS.iter().enumerate() {
        engine
            .create(
                &p,
                EntityKind::Deal,
                values(json!({"name": name, "amount": amount, "stage": stage, "client": orgs[i % orgs.len()].id, "owner": owner})),
            )
            .await?;
    }
    Ok(true)
}
