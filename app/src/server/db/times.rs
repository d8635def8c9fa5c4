//! [`UnixTime`] across the database boundary: a query parameter
//! ([`super::Bind`]) and a column of a row on both databases, stored as the
//! INTEGER (SQLite) or BIGINT (PostgreSQL) of its seconds.

use super::{Bind, Value};
use crate::domain::UnixTime;

impl<'q> Bind<'q> for UnixTime {
    fn into_value(self) -> Value<'q> {
        Value::Int(Some(self.seconds()))
    }
    fn null() -> Value<'q> {
        Value::Int(None)
    }
}

impl<'q> Bind<'q> for &UnixTime {
    fn into_value(self) -> Value<'q> {
        (*self).into_value()
    }
    fn null() -> Value<'q> {
        Value::Int(None)
    }
}

macro_rules! decode_seconds {
    ($db:ty) => {
        impl sqlx::Type<$db> for UnixTime {
            fn type_info() -> <$db as sqlx::Database>::TypeInfo {
                <i64 as sqlx::Type<$db>>::type_info()
            }
            fn compatible(ty: &<$db as sqlx::Database>::TypeInfo) -> bool {
                <i64 as sqlx::Type<$db>>::compatible(ty)
            }
        }
        impl<'r> sqlx::Decode<'r, $db> for UnixTime {
            fn decode(value: <$db as sqlx::Database>::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                <i64 as sqlx::Decode<'r, $db>>::decode(value).map(UnixTime::from_seconds)
            }
        }
    };
}
decode_seconds!(sqlx::Sqlite);
decode_seconds!(sqlx::Postgres);
