//! The frame of every page (seed 003): dark header with "Kundenportal" and
//! the operator's logo opening the user menu, side navigation for signed-in
//! users, the start page's tiles, and the footer with the legal links.

use crate::auth::{current_user, AcceptInvitation, AcceptPrivacy, Login, Logout, SetInitialPassword, SetupStep, UserView};
use crate::error::AppError;
use crate::legal::{get_site_info, SiteInfo};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, Redirect, A};

/// Who is signed in; refetched after sign-in and sign-out.
#[derive(Clone, Copy)]
pub struct UserResource(pub Resource<Result<Option<UserView>, AppError>>);

#[derive(Clone, Copy)]
pub struct SiteResource(pub Resource<Result<SiteInfo, AppError>>);

/// The server actions after which the signed-in user (or their next step)
/// may have changed.
#[derive(Clone, Copy)]
pub struct SessionActions {
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub set_initial_password: ServerAction<SetInitialPassword>,
    pub accept_privacy: ServerAction<AcceptPrivacy>,
    pub accept_invitation: ServerAction<AcceptInvitation>,
}

impl SessionActions {
    pub fn provide(self) {
        provide_context(self.login);
        provide_context(self.logout);
        provide_context(self.set_initial_password);
        provide_context(self.accept_privacy);
        provide_context(self.accept_invitation);
    }

    fn versions(self) -> [usize; 5] {
        [
            self.login.version().get(),
            self.logout.version().get(),
            self.set_initial_password.version().get(),
            self.accept_privacy.version().get(),
            self.accept_invitation.version().get(),
        ]
    }
}

pub fn provide_shell_resources(actions: SessionActions) {
    let user = Resource::new(move || actions.versions(), |_| current_user());
    let site = Resource::new(|| (), |_| get_site_info());
    provide_context(UserResource(user));
    provide_context(SiteResource(site));
}

/// One entry of the navigation and one tile of the start page.
struct Section {
    href: &'static str,
    title: &'static str,
    description: &'static str,
}

fn sections_for(user: &UserView) -> Vec<Section> {
    let mut sections = vec![Section {
        href: "/dokumente",
        title: "Dokumente",
        description: "Rechnungen, Gutschriften und weitere Belege der letzten 13 Monate ansehen und herunterladen.",
    }];
    if user.can_manage_forwardings {
        sections.push(Section {
            href: "/weiterleitungen",
            title: "Weiterleitungen",
            description: "Neue Dokumente automatisch an weitere E-Mail-Adressen senden.",
        });
    }
    if user.can_manage_users {
        sections.push(Section {
            href: "/benutzer",
            title: "Benutzer",
            description: "Weitere Benutzer anlegen, aktivieren und deaktivieren.",
        });
    }
    sections.push(Section {
        href: "/profil",
        title: "Profil",
        description: "Name, Passwort, E-Mail-Adresse und Benachrichtigungen verwalten.",
    });
    sections
}

/// The green bar with the page's name (and the document title).
#[component]
pub fn PageTitle(title: &'static str) -> impl IntoView {
    view! {
        <Title text=format!("{title} – Kundenportal")/>
        <h1 class="page-title">{title}</h1>
    }
}

#[component]
pub fn Header() -> impl IntoView {
    let user = expect_context::<UserResource>().0;
    let site = expect_context::<SiteResource>().0;
    let logout = expect_context::<ServerAction<Logout>>();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Kundenportal"</a>
            <Suspense fallback=|| view! { <img class="logo" src="/branding/logo" alt=""/> }>
                {move || Suspend::new(async move {
                    let operator = site.await.map(|s| s.operator_name).unwrap_or_default();
                    match user.await {
                        Ok(Some(user)) => view! {
                            <details class="user-menu">
                                <summary aria-label="Benutzermenü öffnen">
                                    <img class="logo" src="/branding/logo" alt=operator/>
                                    <span class="caret" aria-hidden="true">"▾"</span>
                                </summary>
                                <div class="menu">
                                    <p class="menu-name">{user.full_name}</p>
                                    <p class="menu-username">{format!("@{}", user.username)}</p>
                                    <a href="/profil">"Profil"</a>
                                    <ActionForm action=logout>
                                        <button type="submit" class="menu-item">"Abmelden"</button>
                                    </ActionForm>
                                </div>
                            </details>
                        }
                        .into_any(),
                        _ => view! { <img class="logo" src="/branding/logo" alt=operator/> }.into_any(),
                    }
                })}
            </Suspense>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let site = expect_context::<SiteResource>().0;
    view! {
        <footer class="footer">
            <nav class="footer-links" aria-label="Rechtliches">
                <a href="/kontakt">"Kontakt"</a>
                <a href="/datenschutz">"Datenschutzhinweise"</a>
                <a href="/impressum">"Impressum"</a>
            </nav>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    site.await.ok().map(|site| {
                        let dial: String = site.hotline.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect();
                        view! {
                            <p class="hotline">
                                <span aria-hidden="true">"☎ "</span>
                                <a href=format!("tel:{dial}")>{site.hotline}</a>
                                "**"
                            </p>
                            <p class="fineprint">"*Pflichtfelder · **" {site.hotline_note}</p>
                        }
                    })
                })}
            </Suspense>
        </footer>
    }
}

/// Everything behind sign-in: navigation on the side, the page beside it.
/// Without a session the visitor is sent to the login page.
#[component]
pub fn SignedInLayout() -> impl IntoView {
    let user = expect_context::<UserResource>().0;
    view! {
        <Suspense fallback=|| view! { <p class="muted loading">"Wird geladen …"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    // The first sign-in is not finished: nothing else until it is.
                    Ok(Some(UserView { pending: Some(step), .. })) => {
                        view! { <Redirect path=SetupStep::path(step)/> }.into_any()
                    }
                    Ok(Some(user)) => view! {
                        <div class="portal">
                            <nav class="side-nav" aria-label="Hauptmenü">
                                {sections_for(&user)
                                    .into_iter()
                                    .filter(|s| s.href != "/profil")
                                    .map(|s| view! { <A href=s.href>{s.title}</A> })
                                    .collect_view()}
                            </nav>
                            <main class="content">
                                <Outlet/>
                            </main>
                        </div>
                    }
                    .into_any(),
                    Ok(None) => view! { <Redirect path="/login"/> }.into_any(),
                    Err(error) => view! { <p class="alert" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Hauptansicht: one tile per option the user has.
#[component]
pub fn HomePage() -> impl IntoView {
    let user = expect_context::<UserResource>().0;
    view! {
        <PageTitle title="Hauptansicht"/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                user.await.ok().flatten().map(|user| {
                    view! {
                        <p class="welcome">"Willkommen, " {user.full_name.clone()} "."</p>
                        <div class="tiles">
                            {sections_for(&user)
                                .into_iter()
                                .map(|s| view! {
                                    <a class="tile" href=s.href>
                                        <span class="tile-title">{s.title}</span>
                                        <span class="tile-text">{s.description}</span>
                                    </a>
                                })
                                .collect_view()}
                        </div>
                    }
                })
            })}
        </Suspense>
    }
}

/// A feature page whose issue has not landed yet.
#[component]
pub fn ComingSoon(title: &'static str) -> impl IntoView {
    view! {
        <PageTitle title=title/>
        <section class="card">
            <p>"Dieser Bereich kommt bald."</p>
        </section>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageTitle title="Seite nicht gefunden"/>
        <section class="card">
            <p>"Diese Seite gibt es nicht."</p>
            <p><a href="/">"Zur Hauptansicht"</a></p>
        </section>
    }
}
