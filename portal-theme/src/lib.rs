//! Portico's look: the templates of emails and of the client portal's pages (Spanish and
//! English), the portal's strings and its stylesheet. Everything is compiled into the binary,
//! so a release needs no files beside it; an admin may override an email's text in the
//! database (rendered through [`email::EmailTemplates::render`] all the same).

pub mod dates;
pub mod email;
pub mod i18n;
pub mod pages;
