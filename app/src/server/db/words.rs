//! Roles and states as Rust enums across the database boundary. Such a
//! value is stored as one of a fixed set of words in a TEXT column (the
//! schema's `CHECK` names the same words); [`stored_as_words!`] lets it be a
//! query parameter ([`super::Bind`]) and a column of a row on both
//! databases, so that no SQL spells a role or a state and a word the code
//! does not know fails the row's decoding instead of passing as a string.

// These live in the domain layer: several features read them. A state only
// one feature reads is declared beside its queries.
crate::stored_as_words!(crate::domain::Role { Main => "main", Sub => "sub" });
crate::stored_as_words!(crate::domain::ForwardingState { Pending => "pending", Confirmed => "confirmed" });

/// An enum stored as words: each variant and its word.
pub trait Words: Sized + Copy + 'static {
    const ALL: &'static [Self];
    fn word(self) -> &'static str;
    fn from_word(word: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|value| value.word() == word)
    }
}

/// `stored_as_words!(Role { Main => "main", Sub => "sub" })` for an enum
/// declared elsewhere: [`Words`], [`super::Bind`] and sqlx's `Type` and
/// `Decode` for SQLite and PostgreSQL.
#[macro_export]
macro_rules! stored_as_words {
    ($type:ty { $($variant:ident => $word:literal),+ $(,)? }) => {
        impl $crate::server::db::Words for $type {
            const ALL: &'static [Self] = &[$(<$type>::$variant),+];
            fn word(self) -> &'static str {
                match self {
                    $(<$type>::$variant => $word),+
                }
            }
        }
        $crate::stored_as_words!(@bind_and_decode $type);
    };
    // An enum the browser shares already names its words (`ALL` and a
    // function from a variant to its word): those are the stored ones.
    ($type:ty, all: $all:expr, word: $word:path) => {
        impl $crate::server::db::Words for $type {
            const ALL: &'static [Self] = &$all;
            fn word(self) -> &'static str {
                $word(self)
            }
        }
        $crate::stored_as_words!(@bind_and_decode $type);
    };
    (@bind_and_decode $type:ty) => {
        impl<'q> $crate::server::db::Bind<'q> for $type {
            fn into_value(self) -> $crate::server::db::Value<'q> {
                $crate::server::db::Value::Text(Some(::std::borrow::Cow::Borrowed($crate::server::db::Words::word(self))))
            }
            fn null() -> $crate::server::db::Value<'q> {
                $crate::server::db::Value::Text(None)
            }
        }
        $crate::stored_as_words!(@decode $type, ::sqlx::Sqlite);
        $crate::stored_as_words!(@decode $type, ::sqlx::Postgres);
    };
    (@decode $type:ty, $db:ty) => {
        impl ::sqlx::Type<$db> for $type {
            fn type_info() -> <$db as ::sqlx::Database>::TypeInfo {
                <str as ::sqlx::Type<$db>>::type_info()
            }
            fn compatible(ty: &<$db as ::sqlx::Database>::TypeInfo) -> bool {
                <str as ::sqlx::Type<$db>>::compatible(ty)
            }
        }
        impl<'r> ::sqlx::Decode<'r, $db> for $type {
            fn decode(value: <$db as ::sqlx::Database>::ValueRef<'r>) -> Result<Self, ::sqlx::error::BoxDynError> {
                let word = <&str as ::sqlx::Decode<'r, $db>>::decode(value)?;
                <$type as $crate::server::db::Words>::from_word(word)
                    .ok_or_else(|| format!("»{word}« is no {}", stringify!($type)).into())
            }
        }
    };
}
