//! Portico's look: the templates of portal pages and emails (Spanish and English), their CSS
//! and icons. Empty until the portal and mail arrive; the crate exists so the workspace has the
//! shape DESIGN.md describes and later work has an obvious home.
