//! Closed vocabularies (the emails Portico sends, the actions its audit log records) are each
//! declared once with [`vocabulary!`]: the enum, each member's stored name and the list of
//! all members come from the one declaration, so no member can lack a name or be left out of
//! `ALL` (which the admin API's enums and the tests iterate).

/// Declares `enum Name { Member = "stored_name", ... }` with `Name::ALL`, `key()` and
/// `from_key()`.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$member_meta:meta])* $member:ident = $key:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$member_meta])* $member,)+
        }

        impl $name {
            /// Every member, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$member,)+];

            /// The stored and public name.
            pub fn key(self) -> &'static str {
                match self {
                    $($name::$member => $key,)+
                }
            }

            pub fn from_key(key: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|m| m.key() == key)
            }
        }
    };
}

pub(crate) use vocabulary;
