//! The frame of every page, as the portal this one follows has it: dark header with "Kundenportal" and
//! the operator's logo opening the user menu, side navigation for signed-in
//! users, the start page's tiles, and the footer with the legal links.

use crate::auth::{Logout, SetupStep, UserResource, UserView};
use crate::i18n::Lang;
use crate::legal::SiteResource;
use crate::routes;
use crate::t;
use crate::ui::{PageTitle, PublicMain, MAIN_ID};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

/// One entry of the navigation and one tile of the start page.
struct Section {
    href: &'static str,
    title: String,
    description: String,
}

/// The user's options, named in `lang`.
fn sections_for(user: &UserView, lang: Lang) -> Vec<Section> {
    let mut sections = vec![Section {
        href: routes::DOCUMENTS,
        title: t!(lang, "shell-documents"),
        description: t!(lang, "shell-documents-text"),
    }];
    if user.can_manage_forwardings {
        sections.push(Section {
            href: routes::FORWARDINGS,
            title: t!(lang, "shell-forwardings"),
            description: t!(lang, "shell-forwardings-text"),
        });
    }
    if user.can_manage_users {
        sections.push(Section {
            href: routes::USERS,
            title: t!(lang, "shell-users"),
            description: t!(lang, "shell-users-text"),
        });
        sections.push(Section {
            href: routes::ACTIVITY,
            title: t!(lang, "shell-activity"),
            description: t!(lang, "shell-activity-text"),
        });
    }
    sections.push(Section {
        href: routes::PROFILE,
        title: t!(lang, "shell-profile"),
        description: t!(lang, "shell-profile-text"),
    });
    sections
}

#[component]
pub fn Header() -> impl IntoView {
    let lang = crate::i18n::lang();
    let user = expect_context::<UserResource>().0;
    let logout = expect_context::<ServerAction<Logout>>();
    let site = expect_context::<SiteResource>().0;
    view! {
        <header class="topbar">
            <a class="brand" href=routes::HOME>{t!(lang, "portal-name")}</a>
            <Suspense fallback=|| view! { <img class="logo" src=routes::LOGO alt=""/> }>
                {move || Suspend::new(async move {
                    let operator = site.await.map(|s| s.operator_name).unwrap_or_default();
                    match user.await {
                        Ok(Some(user)) => view! {
                            <UserMenu operator label=t!(lang, "shell-user-menu")>
                                <p class="menu-name">{user.full_name}</p>
                                <p class="menu-username">{format!("@{}", user.username)}</p>
                                <a href=routes::PROFILE>{t!(lang, "shell-profile")}</a>
                                // Signing out stays a page load of its own.
                                <ActionForm action=logout attr:data-kp-reload="">
                                    <button type="submit" class="menu-item">{t!(lang, "shell-sign-out")}</button>
                                </ActionForm>
                            </UserMenu>
                        }
                        .into_any(),
                        _ => view! { <img class="logo" src=routes::LOGO alt=operator/> }.into_any(),
                    }
                })}
            </Suspense>
        </header>
    }
}

/// The logo opens the user's menu: a disclosure button (`aria-expanded`)
/// that works by keyboard and closes on Escape — an island, the menu's
/// content (name, Profil, Abmelden) is server HTML passed in as children.
/// Before the WASM has loaded the stylesheet shows the menu while focus is
/// inside it. `label`: the button's name, in the page's language (the WASM
/// carries no texts).
#[island]
fn UserMenu(operator: String, label: String, children: Children) -> impl IntoView {
    const MENU_ID: &str = "benutzermenue";
    let open = RwSignal::new(false);
    let button = NodeRef::<leptos::html::Button>::new();
    let close_on_escape = move |event: leptos::ev::KeyboardEvent| {
        if event.key() == "Escape" && open.get_untracked() {
            open.set(false);
            if let Some(button) = button.get_untracked() {
                let _ = button.focus();
            }
        }
    };
    view! {
        <div class="user-menu" class:open=move || open.get() on:keydown=close_on_escape>
            <button
                type="button"
                class="user-menu-button"
                aria-label=label
                aria-controls=MENU_ID
                aria-expanded=move || if open.get() { "true" } else { "false" }
                node_ref=button
                on:click=move |_| open.update(|open| *open = !*open)
            >
                <img class="logo" src=routes::LOGO alt=operator/>
                <span class="caret" aria-hidden="true">"▾"</span>
            </button>
            <div class="menu" id=MENU_ID>{children()}</div>
        </div>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let lang = crate::i18n::lang();
    let site = expect_context::<SiteResource>().0;
    view! {
        <footer class="footer">
            <nav class="footer-links" aria-label=t!(lang, "shell-legal")>
                <a href=routes::CONTACT>{t!(lang, "legal-contact")}</a>
                <a href=routes::PRIVACY>{t!(lang, "legal-privacy")}</a>
                <a href=routes::IMPRINT>{t!(lang, "legal-imprint")}</a>
            </nav>
            <crate::ui::LanguageSwitch/>
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
                            <p class="fineprint">{t!(lang, "shell-required-fields")} {site.hotline_note}</p>
                        }
                    })
                })}
            </Suspense>
        </footer>
    }
}

/// Everything behind sign-in: navigation on the side, the page beside it.
/// A signed-out request never gets here (the server answers 302 first, see
/// `auth::ssr::guard`); the redirects below cover a session that ends while
/// the page is open.
#[component]
pub fn SignedInLayout() -> impl IntoView {
    let lang = crate::i18n::lang();
    crate::ui::ignore_action_errors_in_address();
    let user = expect_context::<UserResource>().0;
    // Every click is a page load (islands mode): a session that ended
    // meanwhile (deactivated, signed out elsewhere) gets 302 to the login
    // page from the route guard at its next click.
    // The page stays outside the user's Suspense: rendered inside it, the
    // page (and its data) would be made again each time that Suspense
    // renders — three list queries for one Dokumente page.
    view! {
        <div class="portal">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match user.await {
                        // The first sign-in is not finished: nothing else until it is.
                        Ok(Some(UserView { pending: Some(step), .. })) => {
                            view! { <Redirect path=SetupStep::path(step)/> }.into_any()
                        }
                        Ok(Some(user)) => view! {
                            <nav class="side-nav" aria-label=t!(lang, "shell-main-menu")>
                                {sections_for(&user, lang)
                                    .into_iter()
                                    .filter(|s| s.href != routes::PROFILE)
                                    .map(|s| view! { <A href=s.href>{s.title}</A> })
                                    .collect_view()}
                            </nav>
                        }
                        .into_any(),
                        Ok(None) => view! { <Redirect path=routes::LOGIN/> }.into_any(),
                        Err(error) => crate::ui::alert(&error),
                    }
                })}
            </Suspense>
            <main id=MAIN_ID class="content" tabindex="-1">
                <Outlet/>
            </main>
        </div>
    }
}

/// Hauptansicht: one tile per option the user has.
#[component]
pub fn HomePage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let user = expect_context::<UserResource>().0;
    let new_documents = Resource::new(|| (), |_| crate::documents::new_document_count());
    view! {
        <PageTitle title=t!(lang, "shell-home-title")/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let new_documents = new_documents.await.unwrap_or(0);
                user.await.ok().flatten().map(|user| {
                    view! {
                        <p class="welcome">{t!(lang, "shell-welcome", name = user.full_name.as_str())}</p>
                        <div class="tiles">
                            {sections_for(&user, lang)
                                .into_iter()
                                .map(|s| {
                                    let news = (s.href == routes::DOCUMENTS && new_documents > 0).then(|| {
                                        let text = t!(lang, "shell-new-documents", count = new_documents);
                                        view! { <span class="badge-new tile-badge">{text}</span> }
                                    });
                                    view! {
                                        <a class="tile" href=s.href>
                                            <span class="tile-title">{s.title}</span>
                                            {news}
                                            <span class="tile-text">{s.description}</span>
                                        </a>
                                    }
                                })
                                .collect_view()}
                        </div>
                    }
                })
            })}
        </Suspense>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    let lang = crate::i18n::lang();
    #[cfg(feature = "ssr")]
    crate::error::AppError::NotFound.set_page_status();
    view! {
        <PublicMain>
            <PageTitle title=t!(lang, "shell-not-found-title")/>
            <section class="card">
                <p>{t!(lang, "shell-not-found-text")}</p>
                <p><a href=routes::HOME>{t!(lang, "shell-to-home")}</a></p>
            </section>
        </PublicMain>
    }
}
