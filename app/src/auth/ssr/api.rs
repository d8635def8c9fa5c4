//! The JSON side of signing in, for scripts and the mobile app.

use super::guard::SignedIn;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Me {
    pub username: String,
    pub full_name: String,
    pub customer: CustomerRef,
    pub is_main_user: bool,
    pub can_manage_users: bool,
    pub can_manage_forwardings: bool,
}

#[derive(Debug, Serialize)]
pub struct CustomerRef {
    pub number: String,
    pub name: String,
}

/// `GET /api/v1/me`: the signed-in user's name, customer and rights.
/// Signed out → 401, first sign-in not finished → 403 (JSON).
pub async fn me(SignedIn(user): SignedIn) -> Response {
    let me = Me {
        username: user.username,
        full_name: user.full_name,
        customer: CustomerRef { number: user.customer_number, name: user.customer_name },
        is_main_user: user.is_main_user,
        can_manage_users: user.can_manage_users,
        can_manage_forwardings: user.can_manage_forwardings,
    };
    ([(http::header::CACHE_CONTROL, "no-store")], Json(me)).into_response()
}
