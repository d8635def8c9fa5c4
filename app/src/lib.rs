//! Kundenportal: the pages, server functions and (with `ssr`) the server
//! side they stand on. One module per feature.

pub mod auth;
pub mod domain;
pub mod error;
pub mod legal;
pub mod profile;
pub mod shell;

#[cfg(feature = "ssr")]
pub mod customers;
#[cfg(feature = "ssr")]
pub mod server;

use auth::{
    AcceptInvitation, AcceptPrivacy, AcceptPrivacyPage, ForgotPasswordPage, InvitationPage, Login, LoginPage, Logout,
    ResetPasswordPage, SetInitialPassword, SetPasswordPage,
};
use legal::{LegalPage, LegalPageKind};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};
use shell::{ComingSoon, Footer, Header, HomePage, NotFound, SignedInLayout};

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    server::headers::set_content_security_policy(&options);
    view! {
        <!DOCTYPE html>
        <html lang="de">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
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
    // The actions that change who is signed in (or what they must do next)
    // live here, so the user resource refetches after each of them.
    let actions = shell::SessionActions {
        login: ServerAction::<Login>::new(),
        logout: ServerAction::<Logout>::new(),
        set_initial_password: ServerAction::<SetInitialPassword>::new(),
        accept_privacy: ServerAction::<AcceptPrivacy>::new(),
        accept_invitation: ServerAction::<AcceptInvitation>::new(),
    };
    actions.provide();
    shell::provide_shell_resources(actions);
    // Effects run only in the browser, after hydration: the mark tells
    // end-to-end tests (and anyone debugging) that the page is interactive.
    Effect::new(|_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/kundenportal.css"/>
        <Router>
            <Header/>
            <div class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/login") view=LoginPage/>
                    <Route path=path!("/passwort-vergessen") view=ForgotPasswordPage/>
                    // Rendered whole before the headers go out, so a used or
                    // expired link answers 410 (and an address over its limit 429).
                    <Route path=path!("/passwort-neu") view=ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/einladung") view=InvitationPage ssr=SsrMode::Async/>
                    <Route path=path!("/passwort-festlegen") view=SetPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/datenschutz-akzeptieren") view=AcceptPrivacyPage ssr=SsrMode::Async/>
                    <Route path=path!("/kontakt") view=|| view! { <LegalPage kind=LegalPageKind::Contact/> }/>
                    <Route path=path!("/datenschutz") view=|| view! { <LegalPage kind=LegalPageKind::Privacy/> }/>
                    <Route path=path!("/impressum") view=|| view! { <LegalPage kind=LegalPageKind::Imprint/> }/>
                    // Rendered whole before the headers go out, so a signed-out
                    // visitor gets a real 302 to the login page.
                    <ParentRoute path=path!("") view=SignedInLayout ssr=SsrMode::Async>
                        <Route path=path!("") view=HomePage ssr=SsrMode::Async/>
                        <Route path=path!("dokumente") view=|| view! { <ComingSoon title="Dokumente"/> } ssr=SsrMode::Async/>
                        <Route path=path!("weiterleitungen") view=|| view! { <ComingSoon title="Weiterleitungen"/> } ssr=SsrMode::Async/>
                        <Route path=path!("benutzer") view=|| view! { <ComingSoon title="Benutzer"/> } ssr=SsrMode::Async/>
                        <Route path=path!("profil") view=profile::ProfilePage ssr=SsrMode::Async/>
                    </ParentRoute>
                </Routes>
            </div>
            <Footer/>
        </Router>
    }
}
