//! Portico's look: the templates of emails (Spanish and English) now, and of portal pages, their
//! CSS and icons with the portal's web pages. Templates are compiled into the binary, so a
//! release needs no files beside it; an admin may override an email's text in the database
//! (rendered through [`email::EmailTemplates::render`] all the same).

pub mod email;
