//! Each field type described once: what its values are, how one is checked, which filter
//! operators it offers and how a person types one. Storage (`records::layout`), validation
//! (`metadata::validation`), the GraphQL layer (its scalars and filter inputs, by
//! [`ValueKind`]), the portal's forms (by [`Input`]) and the staff UI (through the
//! `fieldTypes` query) all read it here. A new type is a variant, its arm in
//! [`FieldType::spec`] and its name in the staff UI's two catalogs; a new *kind* of value
//! also needs its GraphQL scalar (`schema/src/values.rs`).

use super::FieldDefinition;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FieldType {
    Text,
    Textarea,
    Number,
    Decimal,
    Boolean,
    Date,
    Datetime,
    Email,
    Phone,
    Url,
    Select,
    Multiselect,
    User,
    Contact,
}

impl FieldType {
    pub const ALL: [FieldType; 14] = [
        FieldType::Text,
        FieldType::Textarea,
        FieldType::Number,
        FieldType::Decimal,
        FieldType::Boolean,
        FieldType::Date,
        FieldType::Datetime,
        FieldType::Email,
        FieldType::Phone,
        FieldType::Url,
        FieldType::Select,
        FieldType::Multiselect,
        FieldType::User,
        FieldType::Contact,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "TEXT",
            FieldType::Textarea => "TEXTAREA",
            FieldType::Number => "NUMBER",
            FieldType::Decimal => "DECIMAL",
            FieldType::Boolean => "BOOLEAN",
            FieldType::Date => "DATE",
            FieldType::Datetime => "DATETIME",
            FieldType::Email => "EMAIL",
            FieldType::Phone => "PHONE",
            FieldType::Url => "URL",
            FieldType::Select => "SELECT",
            FieldType::Multiselect => "MULTISELECT",
            FieldType::User => "USER",
            FieldType::Contact => "CONTACT",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn has_options(self) -> bool {
        matches!(self.spec().value, ValueKind::Option | ValueKind::Options)
    }

    /// Whether the value is a reference to another record, held as its numeric id.
    pub fn is_reference(self) -> bool {
        self.spec().value.is_reference()
    }

    /// Everything the layers need to know about the type, in one place.
    pub fn spec(self) -> TypeSpec {
        use FieldType as T;
        use ValueKind as V;
        // What every type starts from: no keywords beyond its JSON type, no length bound,
        // open to clients.
        let base = |value, input, json_type| TypeSpec {
            value,
            input,
            json_type,
            keywords: |_| json!({}),
            expects: |_| String::new(),
            portal_input: true,
            max_length: None,
        };
        let text = |input| base(V::Text, input, "string");
        match self {
            T::Text => TypeSpec {
                expects: |_| "text of at most 1000 characters".into(),
                max_length: Some(1000),
                ..text(Input::Text)
            },
            T::Textarea => TypeSpec {
                expects: |_| "text of at most 100000 characters".into(),
                max_length: Some(100_000),
                ..text(Input::Textarea)
            },
            T::Email => TypeSpec {
                keywords: |_| json!({"format": "email"}),
                expects: |_| "an email address".into(),
                max_length: Some(254),
                ..text(Input::Email)
            },
            T::Phone => TypeSpec {
                keywords: |_| json!({"pattern": "^[+0-9 ()./-]{3,40}$"}),
                expects: |_| "a phone number (digits, spaces and + ( ) . / -)".into(),
                ..text(Input::Tel)
            },
            T::Url => TypeSpec {
                keywords: |_| json!({"format": "uri", "pattern": "^https?://"}),
                expects: |_| "an http or https URL".into(),
                max_length: Some(2000),
                ..text(Input::Url)
            },
            T::Number => TypeSpec {
                // GraphQL's Int is 32 bits.
                keywords: |_| json!({"minimum": i32::MIN, "maximum": i32::MAX}),
                expects: |_| "a whole number between -2147483648 and 2147483647".into(),
                ..base(V::Integer, Input::Number, "integer")
            },
            T::Decimal => TypeSpec {
                expects: |_| "a number".into(),
                ..base(V::Decimal, Input::Decimal, "number")
            },
            T::Boolean => TypeSpec {
                expects: |_| "true or false".into(),
                ..base(V::Boolean, Input::Checkbox, "boolean")
            },
            T::Date => TypeSpec {
                keywords: |_| json!({"format": "date"}),
                expects: |_| "a date (YYYY-MM-DD)".into(),
                ..base(V::Date, Input::Date, "string")
            },
            T::Datetime => TypeSpec {
                keywords: |_| json!({"format": "date-time"}),
                expects: |_| "a date and time (RFC 3339, e.g. 2026-11-23T09:30:00Z)".into(),
                ..base(V::DateTime, Input::DateTime, "string")
            },
            T::Select => TypeSpec {
                keywords: |f| json!({"enum": f.options}),
                expects: |f| format!("one of: {}", f.options.join(", ")),
                // The `enum` says it all (and takes `null` when the field is optional).
                ..base(V::Option, Input::Select, "")
            },
            T::Multiselect => TypeSpec {
                keywords: |f| json!({"items": {"enum": f.options}, "uniqueItems": true}),
                expects: |f| format!("a list of distinct values from: {}", f.options.join(", ")),
                ..base(V::Options, Input::Checkboxes, "array")
            },
            T::User => TypeSpec {
                keywords: |_| json!({"minimum": 1}),
                expects: |_| "the id of a staff user".into(),
                // Staff users and contacts are not for clients to pick.
                portal_input: false,
                ..base(V::StaffUser, Input::StaffUserPicker, "integer")
            },
            T::Contact => TypeSpec {
                keywords: |_| json!({"minimum": 1}),
                expects: |_| "the id of a contact".into(),
                portal_input: false,
                ..base(V::Contact, Input::ContactPicker, "integer")
            },
        }
    }
}

/// What a value of a type is, whatever the type is called: the GraphQL layer, storage and the
/// staff UI's formatting go by this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    Integer,
    Decimal,
    Boolean,
    Date,
    DateTime,
    /// One of the field's options.
    Option,
    /// A set of the field's options.
    Options,
    /// A staff user's id.
    StaffUser,
    /// A contact's id.
    Contact,
}

impl ValueKind {
    pub const ALL: [ValueKind; 10] = [
        ValueKind::Text,
        ValueKind::Integer,
        ValueKind::Decimal,
        ValueKind::Boolean,
        ValueKind::Date,
        ValueKind::DateTime,
        ValueKind::Option,
        ValueKind::Options,
        ValueKind::StaffUser,
        ValueKind::Contact,
    ];

    /// The public name (`fieldTypes { value }`).
    pub fn as_str(self) -> &'static str {
        match self {
            ValueKind::Text => "TEXT",
            ValueKind::Integer => "INTEGER",
            ValueKind::Decimal => "DECIMAL",
            ValueKind::Boolean => "BOOLEAN",
            ValueKind::Date => "DATE",
            ValueKind::DateTime => "DATE_TIME",
            ValueKind::Option => "OPTION",
            ValueKind::Options => "OPTIONS",
            ValueKind::StaffUser => "STAFF_USER",
            ValueKind::Contact => "CONTACT",
        }
    }

    pub fn is_reference(self) -> bool {
        matches!(self, ValueKind::StaffUser | ValueKind::Contact)
    }

    /// The filter operators its values offer, by their names in the GraphQL filter inputs,
    /// the most useful first (lists offer them in this order).
    pub fn operators(self) -> &'static [&'static str] {
        match self {
            ValueKind::Text => &[
                "contains", "eq", "ne", "lt", "lte", "gt", "gte", "in", "isNull",
            ],
            ValueKind::Integer | ValueKind::Decimal | ValueKind::Date | ValueKind::DateTime => {
                &["eq", "ne", "lt", "lte", "gt", "gte", "in", "isNull"]
            }
            ValueKind::Boolean | ValueKind::Option | ValueKind::StaffUser | ValueKind::Contact => {
                &["eq", "ne", "in", "isNull"]
            }
            ValueKind::Options => &["contains", "isNull"],
        }
    }

    /// Whether lists sort by it (a set of options has no order).
    pub fn sortable(self) -> bool {
        self != ValueKind::Options
    }
}

/// How a person enters a value: the input the portal's forms and the staff UI show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Text,
    Textarea,
    Number,
    Decimal,
    Checkbox,
    Date,
    DateTime,
    Email,
    Tel,
    Url,
    /// One option from a list.
    Select,
    /// A box per option.
    Checkboxes,
    /// A search-as-you-type picker of staff users.
    StaffUserPicker,
    /// A search-as-you-type picker of contacts.
    ContactPicker,
}

impl Input {
    /// The public name (`fieldTypes { input }`); for the plain ones, the HTML input type.
    pub fn as_str(self) -> &'static str {
        match self {
            Input::Text => "text",
            Input::Textarea => "textarea",
            Input::Number => "number",
            Input::Decimal => "decimal",
            Input::Checkbox => "checkbox",
            Input::Date => "date",
            Input::DateTime => "datetime-local",
            Input::Email => "email",
            Input::Tel => "tel",
            Input::Url => "url",
            Input::Select => "select",
            Input::Checkboxes => "checkboxes",
            Input::StaffUserPicker => "user",
            Input::ContactPicker => "contact",
        }
    }
}

/// One field type, as every layer sees it.
#[derive(Clone, Copy)]
pub struct TypeSpec {
    pub value: ValueKind,
    pub input: Input,
    /// The JSON Schema `type` of a value (empty where `keywords` say it all, as an `enum`).
    json_type: &'static str,
    /// The JSON Schema keywords a value must meet beside its type.
    keywords: fn(&FieldDefinition) -> Value,
    /// What a valid value is, in words a user can act on.
    expects: fn(&FieldDefinition) -> String,
    /// Whether clients may fill it in on the portal's forms.
    pub portal_input: bool,
    /// The longest text, in characters.
    max_length: Option<u32>,
}

impl TypeSpec {
    /// The JSON Schema of one value of `f`, `null` allowed when `f` is not required.
    pub fn json_schema(&self, f: &FieldDefinition) -> Value {
        let mut schema = match (self.keywords)(f) {
            Value::Object(m) => m,
            _ => serde_json::Map::new(),
        };
        if let Some(max) = self.max_length {
            schema.insert("maxLength".into(), json!(max));
        }
        let nullable = !f.required;
        if !self.json_type.is_empty() {
            let ty = if nullable {
                json!([self.json_type, "null"])
            } else {
                json!(self.json_type)
            };
            schema.insert("type".into(), ty);
        } else if nullable && let Some(Value::Array(options)) = schema.get_mut("enum") {
            options.push(Value::Null);
        }
        Value::Object(schema)
    }

    /// What a value of `f` must look like, in words.
    pub fn expects(&self, f: &FieldDefinition) -> String {
        (self.expects)(f)
    }
}
