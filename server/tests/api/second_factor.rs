//! The second factor's rules against the real database (issue 23, TOTP
//! part): confirmation, the drift window, no code twice, recovery codes.

use crate::common::*;
use app::auth::ssr::second_factor::{self, TotpSecret, Verified};
use app::server::db;

const PASSWORD: &str = "Zweiter-Faktor-1";

#[tokio::test]
async fn a_secret_counts_once_confirmed_and_no_code_is_accepted_twice() {
    let app = spawn_app().await;
    let user = customer_with_password(&app, "92001", "totp-anna", PASSWORD).await;
    let pool = &app.state.pool;
    let now = app.state.clock.now();
    let secret = TotpSecret::generate();
    second_factor::propose(pool, user, &secret).await.unwrap();
    assert_eq!(second_factor::enabled_secret(pool, user).await.unwrap(), None, "not on before a code confirms it");
    assert_eq!(second_factor::verify(pool, user, &secret.code_at(now).unwrap(), now).await.unwrap(), Verified::Refused);

    let wrong = if secret.code_at(now).unwrap() == "000000" { "111111" } else { "000000" };
    assert_eq!(second_factor::confirm(pool, user, wrong, now).await.unwrap(), None);
    let codes = second_factor::confirm(pool, user, &secret.code_at(now).unwrap(), now).await.unwrap().expect("confirmed");
    assert_eq!(codes.len(), 10);
    assert_eq!(second_factor::enabled_secret(pool, user).await.unwrap(), Some(secret.clone()));
    let stored: Vec<String> = db::query_scalar("SELECT code_hash FROM recovery_codes WHERE user_id = $1").bind(user).fetch_all(pool).await.unwrap();
    assert_eq!(stored.len(), 10);
    assert!(codes.iter().all(|code| !stored.iter().any(|hash| hash.contains(&code.replace('-', "")))), "only hashes");

    // The confirming code's step is used; the next step's code works once.
    assert_eq!(second_factor::verify(pool, user, &secret.code_at(now).unwrap(), now).await.unwrap(), Verified::Refused, "used to confirm");
    let later = now + 30;
    let next = secret.code_at(later).unwrap();
    assert_eq!(second_factor::verify(pool, user, &next, later).await.unwrap(), Verified::Code);
    assert_eq!(second_factor::verify(pool, user, &next, later).await.unwrap(), Verified::Refused, "RFC 6238 §5.2");
    // A clock 30 s ahead: the code of the step after still works, once.
    let ahead = secret.code_at(later + 30).unwrap();
    assert_eq!(second_factor::verify(pool, user, &ahead, later).await.unwrap(), Verified::Code);
    // An older step's code, after a newer one was used, no more.
    assert_eq!(second_factor::verify(pool, user, &next, later + 30).await.unwrap(), Verified::Refused);
    // Two minutes later the code of then is too old.
    assert_eq!(second_factor::verify(pool, user, &secret.code_at(later + 60).unwrap(), later + 150).await.unwrap(), Verified::Refused);

    // Recovery codes: each once, however typed.
    let typed = codes[3].to_uppercase().replace('-', " ");
    assert_eq!(second_factor::verify(pool, user, &typed, later).await.unwrap(), Verified::RecoveryCode { left: 9 });
    assert_eq!(second_factor::verify(pool, user, &codes[3], later).await.unwrap(), Verified::Refused);
    assert_eq!(second_factor::verify(pool, user, "aaaa-bbbb-cccc-dddd", later).await.unwrap(), Verified::Refused);

    second_factor::turn_off(pool, user).await.unwrap();
    assert_eq!(second_factor::enabled_secret(pool, user).await.unwrap(), None);
    assert_eq!(second_factor::verify(pool, user, &codes[4], later).await.unwrap(), Verified::Refused);
    assert_eq!(app.count("recovery_codes").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_code_sent_twice_at_once_is_accepted_once() {
    let app = std::sync::Arc::new(spawn_app().await);
    let user = customer_with_password(&app, "92002", "totp-bert", PASSWORD).await;
    let now = app.state.clock.now();
    let secret = TotpSecret::generate();
    second_factor::propose(&app.state.pool, user, &secret).await.unwrap();
    second_factor::confirm(&app.state.pool, user, &secret.code_at(now).unwrap(), now).await.unwrap().expect("confirmed");
    let later = now + 30;
    let code = secret.code_at(later).unwrap();
    let (first, second) = tokio::join!(
        second_factor::verify(&app.state.pool, user, &code, later),
        second_factor::verify(&app.state.pool, user, &code, later)
    );
    let accepted = [first.unwrap(), second.unwrap()].iter().filter(|verified| **verified == Verified::Code).count();
    assert_eq!(accepted, 1);
}
