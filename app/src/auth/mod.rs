//! Signing in and out, the first sign-in (own password, privacy notice),
//! "Passwort vergessen", invitation links, and the access guard every server
//! function starts with.

use crate::domain::{PasswordContext, PasswordPolicy, RuleCheck};
use crate::error::AppError;
use crate::routes;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "ssr")]
use crate::server::{limits::LimitedAction, serve::{anyone, limited, read, serve}};

mod components;
pub use components::{PasskeySignInOffer, PasskeysSection, RecoveryCodesPage, SecondFactorSection, SecondFactorSetupPage, SecondStepPage};
pub use components::{AcceptPrivacyPage, AppConsentPage, ChangePasswordForm, RecentSignInGate, SignInsSection, SIGN_INS_SECTION, ForgotPasswordPage, InvitationPage, LoginPage, ResetPasswordPage, SetPasswordPage};

/// What a signed-in session must still do before anything else works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SetupStep {
    /// The operator chose the password; the user sets their own.
    ChangePassword,
    /// The current privacy notice has not been accepted yet.
    AcceptPrivacy,
    /// The password reached its maximum age or the operator's date; the user
    /// signed in with it and now sets a new one.
    PasswordExpired,
    /// The customer requires the second factor and the user has none yet.
    SetUpSecondFactor,
}

impl SetupStep {
    pub fn path(self) -> &'static str {
        match self {
            SetupStep::ChangePassword | SetupStep::PasswordExpired => routes::SET_PASSWORD,
            SetupStep::AcceptPrivacy => routes::ACCEPT_PRIVACY,
            SetupStep::SetUpSecondFactor => routes::SECOND_FACTOR_SETUP,
        }
    }
}

/// The signed-in user as the page sees them. Customer, role and rights come
/// from the session on the server, never from the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub username: String,
    pub full_name: String,
    pub is_main_user: bool,
    pub can_manage_users: bool,
    pub can_manage_forwardings: bool,
    pub pending: Option<SetupStep>,
    /// Signed in or confirmed the password within the last hour: changes to
    /// e-mail, password, forwardings and users are allowed without asking.
    pub recently_authenticated: bool,
    /// The second factor is on: confirming the password asks for a code too.
    pub second_factor: bool,
}

/// One live session of the user (Profil → Anmeldungen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInEntry {
    /// A handle for "Abmelden"; not the session's key.
    pub id: String,
    /// "Firefox 128 auf Windows 10".
    pub browser: String,
    /// The coarse address ("203.0.113.x").
    pub place: String,
    pub signed_in: String,
    pub last_active: String,
    pub this_device: bool,
}

/// Everything a form needs to show the password rules live: the policy and
/// what the password must not equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordRules {
    pub policy: PasswordPolicy,
    pub username: String,
    pub customer_name: String,
}

impl PasswordRules {
    pub fn context(&self) -> PasswordContext<'_> {
        PasswordContext { username: Some(&self.username), customer_name: Some(&self.customer_name) }
    }

    pub fn check(&self, candidate: &str) -> Vec<RuleCheck> {
        self.policy.check(candidate, self.context())
    }
}

/// Who is signed in, for every component; refetched after each action that
/// can change it.
#[derive(Clone, Copy)]
pub struct UserResource(pub Resource<Result<Option<UserView>, AppError>>);

/// The server actions after which the signed-in user (or their next step)
/// may have changed. Created once in the app's root, so every form that
/// signs in or out shares them and the user resource follows.
#[derive(Clone, Copy)]
pub struct SessionActions {
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub set_initial_password: ServerAction<SetInitialPassword>,
    pub accept_privacy: ServerAction<AcceptPrivacy>,
    pub accept_invitation: ServerAction<AcceptInvitation>,
    pub confirm_password: ServerAction<ConfirmPassword>,
}

impl SessionActions {
    /// Creates the actions and the user resource and provides them as context.
    pub fn provide() {
        let actions = SessionActions {
            login: ServerAction::<Login>::new(),
            logout: ServerAction::<Logout>::new(),
            set_initial_password: ServerAction::<SetInitialPassword>::new(),
            accept_privacy: ServerAction::<AcceptPrivacy>::new(),
            accept_invitation: ServerAction::<AcceptInvitation>::new(),
            confirm_password: ServerAction::<ConfirmPassword>::new(),
        };
        provide_context(actions.login);
        provide_context(actions.logout);
        provide_context(actions.set_initial_password);
        provide_context(actions.accept_privacy);
        provide_context(actions.accept_invitation);
        provide_context(actions.confirm_password);
        let user = Resource::new(move || actions.versions(), |_| current_user());
        provide_context(UserResource(user));
    }

    fn versions(self) -> [usize; 6] {
        [
            self.confirm_password.version().get(),
            self.login.version().get(),
            self.logout.version().get(),
            self.set_initial_password.version().get(),
            self.accept_privacy.version().get(),
            self.accept_invitation.version().get(),
        ]
    }
}

/// What the consent page shows of an app's sign-in request: the app's name
/// and the request's fields, which its form sends back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRequestView {
    pub app_name: String,
    pub fields: Vec<(String, String)>,
}

/// The app request in the consent page's address (`query`, without `?`),
/// checked as `/oauth/authorize` checks it.
#[server(endpoint = "auth/app_consent")]
pub async fn app_consent(query: String) -> Result<AppRequestView, AppError> {
    let lang = crate::i18n::lang();
    read(ssr::require_user(), async |state, _| {
        match ssr::oauth::AuthorizeRequest::from_query(&query, &state.config.app) {
            Ok(request) => {
                let fields = request.fields().into_iter().map(|(name, value)| (name.to_owned(), value)).collect();
                Ok(AppRequestView { app_name: request.client.name.to_owned(), fields })
            }
            Err(ssr::oauth::AuthorizeRefusal::NoRedirect(why)) => {
                Err(AppError::Invalid { refusal: crate::domain::Refusal::Other(why.text(lang)), field: None })
            }
            Err(_) => Err(AppError::Invalid {
                refusal: crate::domain::Refusal::Other(crate::t!(lang, "auth-app-request-invalid-restart")),
                field: None,
            }),
        }
    })
    .await
}

/// The two kinds of mailed link that let someone set a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkKind {
    Invitation,
    PasswordReset,
}

/// Where the user's second factor stands (Profil → Zwei-Faktor-Anmeldung).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SecondFactorState {
    Off,
    /// Set-up begun: the QR code (inline SVG, made on the server from the
    /// secret), the secret for typing it in, and the `otpauth://` address
    /// for an authenticator app on the same phone.
    Proposed { qr_svg: String, secret: String, otpauth_uri: String },
    On { since: String, recovery_codes_left: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondFactorView {
    pub state: SecondFactorState,
    /// The customer requires it of every user: it cannot be turned off.
    pub required: bool,
}

/// The `bereich` of Profil → Zwei-Faktor-Anmeldung in an address.
pub const SECOND_FACTOR_SECTION: &str = "zwei-faktor";

/// Where a set-up of the second factor comes back to: Profil's section, or
/// the page a user whose customer requires it sets it up on.
#[cfg(feature = "ssr")]
fn second_factor_page(user: Option<&ssr::SessionUser>) -> String {
    match user.and_then(|user| user.pending) {
        Some(SetupStep::SetUpSecondFactor) => routes::SECOND_FACTOR_SETUP.to_owned(),
        _ => format!("{}?bereich={SECOND_FACTOR_SECTION}", routes::PROFILE),
    }
}

/// Who may set the second factor up: a session whose only open step it is,
/// or one that has finished signing in — either signed in within the hour
/// (an old session, or a stolen cookie, must not bind its own authenticator).
/// `session` is looked up once by the caller, which also needs it for the
/// page a refusal goes back to.
#[cfg(feature = "ssr")]
async fn may_set_up_second_factor(session: Result<Option<ssr::SessionUser>, AppError>) -> Result<ssr::SessionUser, AppError> {
    let user = ssr::guard::session_required(session?)?;
    match user.pending {
        Some(SetupStep::SetUpSecondFactor) | None => {
            user.require_recent_sign_in()?;
            Ok(user)
        }
        Some(_) => Err(AppError::SetupPending),
    }
}

/// The sign-in's second step: the code of the authenticator app or a
/// recovery code, for the browser whose password was right a moment ago.
#[server(endpoint = "auth/second_step")]
pub async fn second_step(code: String) -> Result<(), AppError> {
    let guard = limited(LimitedAction::Login, anyone());
    let served = serve(guard, routes::SECOND_STEP, async |state, (), ip| Ok(ssr::second_step::answer(state, &code, ip).await?)).await?;
    ssr::second_step::set_cookie(&served.state, None);
    ssr::flows::go_on_signed_in(&served.state, &served.value).await
}

/// Whether this browser has a second step waiting.
#[server(endpoint = "auth/second_step_waiting")]
pub async fn second_step_waiting() -> Result<bool, AppError> {
    read(anyone(), async |state, ()| Ok(ssr::second_step::waiting_here(state).await?)).await
}

#[server(endpoint = "auth/second_factor")]
pub async fn second_factor_status() -> Result<SecondFactorView, AppError> {
    read(ssr::require_session(), async |state, user| {
        if user.pending.is_some_and(|step| step != SetupStep::SetUpSecondFactor) {
            return Err(AppError::SetupPending);
        }
        Ok(ssr::second_factor_setup::view(state, &user).await?)
    })
    .await
}

/// "Einrichten": a new secret for the authenticator app; the page shows it.
#[server(endpoint = "auth/second_factor_begin")]
pub async fn begin_second_factor() -> Result<(), AppError> {
    let session = ssr::optional_session().await;
    let back = second_factor_page(session.as_ref().ok().and_then(Option::as_ref));
    let served = serve(may_set_up_second_factor(session), &back, async |state, user, _| Ok(ssr::second_factor_setup::begin(state, &user).await?)).await?;
    Ok(served.then_show(&back))
}

/// "Aktivieren" with the first code from the app; the recovery codes come next.
#[server(endpoint = "auth/second_factor_confirm")]
pub async fn confirm_second_factor(code: String) -> Result<(), AppError> {
    let session = ssr::optional_session().await;
    let back = second_factor_page(session.as_ref().ok().and_then(Option::as_ref));
    let guard = limited(LimitedAction::Login, may_set_up_second_factor(session));
    let served = serve(guard, &back, async |state, user, ip| Ok(ssr::second_factor_setup::confirm(state, &user, &code, ip).await?)).await?;
    ssr::second_factor_setup::show_once(served);
    Ok(())
}

/// "Neue Wiederherstellungscodes": the old ones stop working.
#[server(endpoint = "auth/recovery_codes_renew")]
pub async fn renew_recovery_codes() -> Result<(), AppError> {
    let back = format!("{}?bereich={SECOND_FACTOR_SECTION}", routes::PROFILE);
    let served = serve(ssr::require_user(), &back, async |state, user, ip| {
        user.require_recent_sign_in()?;
        Ok(ssr::second_factor_setup::renew_recovery_codes(state, &user, ip).await?)
    })
    .await?;
    ssr::second_factor_setup::show_once(served);
    Ok(())
}

/// The recovery codes just made, for the page that shows them once.
#[server(endpoint = "auth/recovery_codes")]
pub async fn new_recovery_codes() -> Result<Vec<String>, AppError> {
    read(ssr::require_user(), async |state, user| {
        let parts = crate::server::serve::request_parts().ok_or(AppError::BadRequest)?;
        Ok(ssr::second_factor_setup::codes_in(&parts, state, &user.session_hash).unwrap_or_default())
    })
    .await
}

/// "Ich habe die Codes gespeichert": the codes leave this browser too.
#[server(endpoint = "auth/recovery_codes_done")]
pub async fn recovery_codes_done() -> Result<(), AppError> {
    let served = serve(ssr::require_user(), routes::RECOVERY_CODES, async |state, _, _| {
        ssr::second_factor_setup::set_codes_cookie(state, None);
        Ok(())
    })
    .await?;
    let next = ssr::flows::finished_landing(&served.state);
    let next = if next == routes::HOME { format!("{}?bereich={SECOND_FACTOR_SECTION}", routes::PROFILE) } else { next };
    Ok(served.then_show(&next))
}

/// "Ausschalten": the password and a code.
#[server(endpoint = "auth/second_factor_off")]
pub async fn turn_off_second_factor(password: String, code: String) -> Result<(), AppError> {
    let back = format!("{}?bereich={SECOND_FACTOR_SECTION}", routes::PROFILE);
    let served = serve(limited(LimitedAction::Login, ssr::require_user()), &back, async |state, user, ip| {
        Ok(ssr::second_factor_setup::turn_off(state, &user, &password, &code, ip).await?)
    })
    .await?;
    Ok(served.then_show(&format!("{back}&ausgeschaltet=1")))
}

/// A passkey ceremony under way: the handle its second request names, and
/// the options for `navigator.credentials` as WebAuthn's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyCeremony {
    pub ceremony: String,
    pub options: String,
}

/// One of the user's passkeys (Profil → Passkeys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyEntry {
    pub id: i64,
    pub name: String,
    pub added: String,
    pub last_used: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeysView {
    /// `KP_BASE_URL` names a domain: passkeys work here.
    pub available: bool,
    pub entries: Vec<PasskeyEntry>,
}

/// The `bereich` of Profil → Passkeys in an address.
pub const PASSKEYS_SECTION: &str = "passkeys";

/// Whether the login page offers "Mit Passkey anmelden".
#[server(endpoint = "auth/passkeys_available")]
pub async fn passkeys_available() -> Result<bool, AppError> {
    read(anyone(), async |state, ()| Ok(ssr::passkeys::available(state))).await
}

/// "Mit Passkey anmelden", first request: the challenge.
#[server(endpoint = "auth/passkey_sign_in_start")]
pub async fn begin_passkey_sign_in() -> Result<PasskeyCeremony, AppError> {
    let served = serve(limited(LimitedAction::Login, anyone()), routes::LOGIN, async |state, (), _| ssr::passkeys::begin_sign_in(state).await).await?;
    Ok(served.value)
}

/// "Mit Passkey anmelden", second request: the authenticator's answer
/// (WebAuthn's JSON). Signs in like password and code together.
#[server(endpoint = "auth/passkey_sign_in")]
pub async fn passkey_sign_in(ceremony: String, credential: String) -> Result<(), AppError> {
    let served = serve(limited(LimitedAction::Login, anyone()), routes::LOGIN, async |state, (), ip| {
        ssr::passkeys::finish_sign_in(state, &ceremony, &credential, ip).await
    })
    .await?;
    ssr::end_this_browsers_session(&served.state).await?;
    ssr::flows::go_on_signed_in(&served.state, &served.value).await
}

/// Profil → Passkeys.
#[server(endpoint = "auth/passkeys")]
pub async fn passkeys() -> Result<PasskeysView, AppError> {
    read(ssr::require_user(), async |state, user| {
        Ok(PasskeysView { available: ssr::passkeys::available(state), entries: ssr::passkeys::list(state, &user).await? })
    })
    .await
}

/// "Passkey hinzufügen", first request (after a recent sign-in): the challenge for the authenticator.
#[server(endpoint = "auth/passkey_add_start")]
pub async fn begin_adding_passkey(name: String) -> Result<PasskeyCeremony, AppError> {
    let back = format!("{}?bereich={PASSKEYS_SECTION}", routes::PROFILE);
    let served = serve(ssr::require_user(), &back, async |state, user, _| {
        user.require_recent_sign_in()?;
        ssr::passkeys::begin_registration(state, &user, &name).await
    })
    .await?;
    Ok(served.value)
}

/// "Passkey hinzufügen", second request: the new credential.
#[server(endpoint = "auth/passkey_add")]
pub async fn add_passkey(ceremony: String, credential: String) -> Result<(), AppError> {
    let back = format!("{}?bereich={PASSKEYS_SECTION}", routes::PROFILE);
    let served = serve(ssr::require_user(), &back, async |state, user, ip| {
        ssr::passkeys::finish_registration(state, &user, &ceremony, &credential, ip).await
    })
    .await?;
    Ok(served.then_show(&format!("{back}&hinzugefuegt=1")))
}

/// "Entfernen" of one of the user's passkeys.
#[server(endpoint = "auth/passkey_remove")]
pub async fn remove_passkey(id: i64) -> Result<(), AppError> {
    let back = format!("{}?bereich={PASSKEYS_SECTION}", routes::PROFILE);
    let served = serve(ssr::require_user(), &back, async |state, user, ip| {
        user.require_recent_sign_in()?;
        if ssr::passkeys::remove(state, &user, id, ip).await? { Ok(()) } else { Err(AppError::NotFound) }
    })
    .await?;
    Ok(served.then_show(&format!("{back}&entfernt=1")))
}

/// Who is signed in, or `None`. Answers without a session: the shell needs it
/// to decide between login and portal.
#[server(endpoint = "auth/current_user")]
pub async fn current_user() -> Result<Option<UserView>, AppError> {
    // Contexts first: after an await a rendering page may not have them.
    let lang = crate::i18n::lang();
    read(ssr::optional_session(), async move |_, session| Ok(session.map(|user| user.view(lang)))).await
}

/// Signs in with username and password. Works as a plain form post before
/// the WASM has loaded: success and failure then answer with a redirect.
#[server(endpoint = "auth/login")]
pub async fn login(username: String, password: String) -> Result<(), AppError> {
    ssr::login(username, password).await
}

/// Ends the session and deletes it on the server.
#[server(endpoint = "auth/logout")]
pub async fn logout() -> Result<(), AppError> {
    ssr::logout().await
}

/// The rules a new password of the signed-in user must meet.
#[server(endpoint = "auth/password_rules")]
pub async fn own_password_rules() -> Result<PasswordRules, AppError> {
    read(ssr::require_session(), async |state, session| {
        Ok(ssr::passwords::rules_for(state, &session.username, &session.customer_name))
    })
    .await
}

/// First sign-in, step 1: replaces the operator's password with the user's own.
#[server(endpoint = "auth/set_initial_password")]
pub async fn set_initial_password(password: String, confirm: String) -> Result<(), AppError> {
    let served = serve(ssr::require_session(), SetupStep::ChangePassword.path(), async |state, session, ip| {
        Ok(ssr::passwords::set_initial_password(state, &session, &password, &confirm, ip).await?)
    })
    .await?;
    ssr::set_session_cookie(&served.state, &served.value, false);
    ssr::redirect_after_setup(&served.state, &served.value).await
}

/// First sign-in, step 2 (and after every new version): accepts the privacy
/// notice the page showed.
#[server(endpoint = "auth/accept_privacy")]
pub async fn accept_privacy(version: i64) -> Result<(), AppError> {
    let served = serve(ssr::require_session(), SetupStep::AcceptPrivacy.path(), async |state, session, ip| {
        Ok(ssr::passwords::accept_privacy(state, &session, version, ip).await?)
    })
    .await?;
    let token = ssr::http::session_cookie_value(&served.state).unwrap_or_default();
    let next = ssr::flows::landing_path(&served.state, &token).await?;
    Ok(served.then_show(&next))
}

/// Profile: a new password for a signed-in user, who proves it is them with
/// the current one. The user's other sessions end.
#[server(endpoint = "auth/change_password")]
pub async fn change_password(current: String, password: String, confirm: String) -> Result<(), AppError> {
    let guard = limited(LimitedAction::Login, ssr::require_user());
    let served = serve(guard, routes::PROFILE, async |state, user, ip| {
        Ok(ssr::passwords::change_password(state, &user, &current, &password, &confirm, ip).await?)
    })
    .await?;
    ssr::set_session_cookie(&served.state, &served.value, false);
    served.then_show(&format!("{}?passwort=geaendert", routes::PROFILE));
    Ok(())
}

/// Profile: ends the user's sessions on every other device; this browser
/// stays signed in. Answers how many ended.
#[server(endpoint = "auth/sign_out_elsewhere")]
pub async fn sign_out_elsewhere() -> Result<u64, AppError> {
    let page = format!("{}?bereich={}", routes::PROFILE, components::SIGN_INS_SECTION);
    let served = serve(ssr::require_user(), &page, async |state, user, ip| {
        Ok(ssr::end_other_sessions(state, &user, ip).await?)
    })
    .await?;
    let (token, ended) = &served.value;
    ssr::set_session_cookie(&served.state, token, false);
    let ended = *ended;
    served.then_show(&format!("{page}&abgemeldet={ended}"));
    Ok(ended)
}

/// Profil → Anmeldungen: the user's live sessions.
#[server(endpoint = "auth/sign_ins")]
pub async fn sign_ins() -> Result<Vec<SignInEntry>, AppError> {
    read(ssr::require_user(), async |state, user| Ok(ssr::session::list_sessions(state, &user).await?)).await
}

/// Profil → Anmeldungen → "Abmelden" for one session. Answers whether it
/// was this browser's (which is then signed out).
#[server(endpoint = "auth/end_sign_in")]
pub async fn end_sign_in(id: String) -> Result<bool, AppError> {
    let page = format!("{}?bereich={}", routes::PROFILE, components::SIGN_INS_SECTION);
    let served = serve(ssr::require_user(), &page, async |state, user, ip| {
        Ok(ssr::session::end_session(state, &user, &id, ip).await?)
    })
    .await?;
    let this_device = served.value == Some(true);
    if this_device {
        ssr::set_session_cookie(&served.state, "", true);
        ssr::second_factor_setup::set_codes_cookie(&served.state, None);
    }
    served.then_show(&if this_device { routes::LOGIN.to_owned() } else { format!("{page}&beendet=1") });
    Ok(this_device)
}

/// The `bereich` a refused password confirmation comes back with.
pub const CONFIRM_SECTION: &str = "bestaetigen";

/// The fields of every form that sets a new password (`NewPasswordFields`).
pub const NEW_PASSWORD: &str = "password";
pub const NEW_PASSWORD_AGAIN: &str = "confirm";

/// "Passwort bestätigen" (SECURITY.md 21): the sign-in is older than an hour
/// and the user wants to change e-mail, password, forwardings or users. The
/// same lockout counter as the login; the session goes on under a new id.
/// Without JavaScript the browser goes back to `return_to`. With the
/// second factor on, a code is asked for too.
#[server(endpoint = "auth/confirm_password")]
pub async fn confirm_password(password: String, code: Option<String>, return_to: String) -> Result<(), AppError> {
    let back = routes::local_path(&return_to).unwrap_or(routes::HOME).to_owned();
    let guard = limited(LimitedAction::Login, ssr::require_user());
    let served = serve(guard, &routes::with_param(&back, "bereich", CONFIRM_SECTION), async |state, user, ip| {
        Ok(ssr::reauth::confirm_password(state, &user, &password, code.as_deref().unwrap_or_default(), ip).await?)
    })
    .await?;
    ssr::set_session_cookie(&served.state, &served.value, false);
    served.then_show(&back);
    Ok(())
}

/// "Passwort vergessen": always the same answer, whether or not an account
/// matches; matching active accounts get a mail with a link.
#[server(endpoint = "auth/request_reset")]
pub async fn request_password_reset(identifier: String) -> Result<(), AppError> {
    let guard = limited(LimitedAction::PasswordReset, anyone());
    let served = serve(guard, routes::FORGOT_PASSWORD, async |state, (), ip| {
        Ok(ssr::links::request_reset_in_background(state, &identifier, ip)?)
    })
    .await?;
    Ok(served.then_show(&format!("{}?gesendet=1", routes::FORGOT_PASSWORD)))
}

/// Whether a mailed link still works, and the rules for the password it sets.
#[server(endpoint = "auth/link_info")]
pub async fn link_info(kind: LinkKind, token: String) -> Result<PasswordRules, AppError> {
    let guard = limited(LimitedAction::Link, anyone());
    read(guard, async |state, ()| Ok(ssr::links::link_info(state, kind, &token).await?)).await
}

/// Sets a new password through a "Passwort vergessen" link. Every session of
/// the user ends; they sign in again with the new password.
#[server(endpoint = "auth/reset_password")]
pub async fn reset_password(token: String, password: String, confirm: String) -> Result<(), AppError> {
    let guard = limited(LimitedAction::Link, anyone());
    let served = serve(guard, &routes::with_token(routes::RESET_PASSWORD, &token), async |state, (), ip| {
        // Every session of the user ends: there is none to go on with.
        ssr::links::use_link(state, LinkKind::PasswordReset, &token, &password, &confirm, ip).await?;
        Ok(())
    })
    .await?;
    Ok(served.then_show(&format!("{}?passwort=neu", routes::LOGIN)))
}

/// Sets the first password through an invitation link and signs the new
/// user in; the privacy notice comes next.
#[server(endpoint = "auth/accept_invitation")]
pub async fn accept_invitation(token: String, password: String, confirm: String) -> Result<(), AppError> {
    let guard = limited(LimitedAction::Link, anyone());
    let served = serve(guard, &routes::with_token(routes::INVITATION, &token), async |state, (), ip| {
        Ok(ssr::links::use_link(state, LinkKind::Invitation, &token, &password, &confirm, ip).await?)
    })
    .await?;
    let state = served.state;
    match served.value {
        Some(session) => {
            ssr::end_this_browsers_session(&state).await?;
            ssr::set_session_cookie(&state, &session, false);
            ssr::redirect_after_setup(&state, &session).await
        }
        None => {
            leptos_axum::redirect(routes::LOGIN);
            Ok(())
        }
    }
}
