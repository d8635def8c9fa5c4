//! Kundenportal: the pages, server functions and (with `ssr`) the server
//! side they stand on. One module per feature.

//!
//! Layers, lowest first (`scripts/check-layers.py` keeps them so):
//! `domain` ← `error`, `routes`, `server` (infrastructure) ← `ui` ←
//! features (`auth`, `legal`, `profile`, `customers`, `documents`, `forwarding`, `users`, `activity`) ← `shell` and this root.

pub mod activity;
pub mod auth;
pub mod documents;
pub mod domain;
pub mod error;
pub mod forwarding;
pub mod i18n;
pub mod legal;
pub mod profile;
pub mod routes;
pub mod shell;
pub mod ui;
pub mod users;

#[cfg(feature = "ssr")]
pub mod customers;
#[cfg(feature = "ssr")]
pub mod server;

use auth::{
    AcceptPrivacyPage, AppConsentPage, ForgotPasswordPage, InvitationPage, LoginPage, ResetPasswordPage, SessionActions, SetPasswordPage,
};
use legal::{LegalPage, LegalPageKind, SiteResource};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};
use shell::{Footer, Header, HomePage, NotFound, SignedInLayout};
use ui::{PublicLayout, SkipLink};

/// The router's path for a page of [`routes`].
fn page(path: &'static str) -> (StaticSegment<&'static str>,) {
    (StaticSegment(routes::segment(path)),)
}

/// The jobs of every feature: start-up steps and repeating work.
#[cfg(feature = "ssr")]
pub fn jobs() -> server::jobs::Jobs {
    let mut jobs = server::jobs::Jobs::default();
    legal::ssr::register_jobs(&mut jobs);
    auth::ssr::expiry::register_jobs(&mut jobs);
    auth::ssr::cleanup::register_jobs(&mut jobs);
    documents::ssr::register_jobs(&mut jobs);
    jobs
}

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let form_targets = auth::ssr::oauth_http::consent_form_targets();
        server::headers::set_content_security_policy(&options, form_targets.as_deref());
    }
    #[cfg(feature = "ssr")]
    let navigation_script = use_context::<server::state::AppState>()
        .map_or_else(|| routes::NAVIGATION_SCRIPT.to_owned(), |state| state.config.assets.navigation_script.clone());
    #[cfg(not(feature = "ssr"))]
    let navigation_script = routes::NAVIGATION_SCRIPT;
    // The request's language, chosen once by the server's middleware, for every component below.
    let lang = i18n::lang();
    provide_context(lang);
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                // The pages the navigation script moves between inside one document.
                <meta name="kp-pages" content=routes::SIGNED_IN_PAGES.join(",")/>
                // What a form says when no answer came: the islands read it here (the WASM has no texts).
                <meta name="kp-unreachable" content=t!(lang, "form-calls-unreachable")/>
                <link rel="icon" href=routes::FAVICON type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <script type="module" nonce=leptos::nonce::use_nonce() src=navigation_script></script>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    SessionActions::provide();
    SiteResource::provide();
    // The stylesheet's hashed name; the App renders only on the server.
    // (The route list is made without the state: the plain name then.)
    #[cfg(feature = "ssr")]
    let stylesheet = use_context::<server::state::AppState>()
        .map_or_else(|| routes::STYLESHEET.to_owned(), |state| state.config.assets.stylesheet.clone());
    #[cfg(not(feature = "ssr"))]
    let stylesheet = routes::STYLESHEET;
    view! {
        <Stylesheet id="leptos" href=stylesheet/>
        <ui::HydrationMark/>
        <ui::FormCalls/>
        // Says the new page's title when the navigation script has put it in
        // place (it keeps this element across pages: a live region must exist
        // before it changes).
        <div id="kp-announcer" class="visually-hidden" aria-live="polite" aria-atomic="true"></div>
        <Router>
            <SkipLink/>
            <Header/>
            <div class="page">
                <Routes fallback=NotFound>
                    // Pages without the side navigation, in a `main` of their own.
                    <ParentRoute path=page(routes::HOME) view=PublicLayout>
                        <Route path=page(routes::LOGIN) view=LoginPage/>
                        <Route path=page(routes::FORGOT_PASSWORD) view=ForgotPasswordPage/>
                        // Rendered whole before the headers go out, so a used or
                        // expired link answers 410 (and an address over its limit 429).
                        <Route path=page(routes::RESET_PASSWORD) view=ResetPasswordPage ssr=SsrMode::Async/>
                        <Route path=page(routes::INVITATION) view=InvitationPage ssr=SsrMode::Async/>
                        <Route path=page(routes::SET_PASSWORD) view=SetPasswordPage ssr=SsrMode::Async/>
                        <Route path=page(routes::ACCEPT_PRIVACY) view=AcceptPrivacyPage ssr=SsrMode::Async/>
                        <Route path=page(routes::SECOND_STEP) view=auth::SecondStepPage ssr=SsrMode::Async/>
                        <Route path=page(routes::SECOND_FACTOR_SETUP) view=auth::SecondFactorSetupPage ssr=SsrMode::Async/>
                        <Route path=page(routes::FORWARDING_CONFIRM) view=forwarding::ForwardingConfirmPage ssr=SsrMode::Async/>
                        <Route path=page(routes::FORWARDING_END) view=forwarding::ForwardingEndPage ssr=SsrMode::Async/>
                        <Route path=page(routes::EMAIL_CONFIRM) view=profile::EmailConfirmPage ssr=SsrMode::Async/>
                        <Route path=page(routes::CONTACT) view=|| view! { <LegalPage kind=LegalPageKind::Contact/> }/>
                        <Route path=page(routes::PRIVACY) view=|| view! { <LegalPage kind=LegalPageKind::Privacy/> }/>
                        <Route path=page(routes::IMPRINT) view=|| view! { <LegalPage kind=LegalPageKind::Imprint/> }/>
                    </ParentRoute>
                    // A signed-out request never reaches these: the server
                    // answers it with 302 first (`auth::ssr::guard`).
                    <ParentRoute path=page(routes::HOME) view=SignedInLayout ssr=SsrMode::Async>
                        <Route path=page(routes::HOME) view=HomePage ssr=SsrMode::Async/>
                        <Route path=page(routes::DOCUMENTS) view=documents::DocumentsPage ssr=SsrMode::Async/>
                        <Route
                            path=(StaticSegment(routes::segment(routes::DOCUMENTS)), ParamSegment("id"), StaticSegment(routes::EINVOICE_SEGMENT))
                            view=documents::EInvoicePage
                            ssr=SsrMode::Async
                        />
                        <Route path=page(routes::FORWARDINGS) view=forwarding::ForwardingsPage ssr=SsrMode::Async/>
                        <Route path=page(routes::DELIVERY_LOG) view=forwarding::DeliveryLogPage ssr=SsrMode::Async/>
                        <Route path=page(routes::USERS) view=users::UsersPage ssr=SsrMode::Async/>
                        <Route path=page(routes::ACTIVITY) view=activity::ActivityPage ssr=SsrMode::Async/>
                        <Route path=page(routes::PROFILE) view=profile::ProfilePage ssr=SsrMode::Async/>
                        <Route path=page(routes::APP_CONSENT) view=AppConsentPage ssr=SsrMode::Async/>
                        <Route path=page(routes::RECOVERY_CODES) view=auth::RecoveryCodesPage ssr=SsrMode::Async/>
                    </ParentRoute>
                </Routes>
            </div>
            <Footer/>
        </Router>
    }
}
