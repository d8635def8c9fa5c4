//! The Benutzer page. Every form is a plain HTML form first; the boxes that
//! confirm a deactivation or removal and the one that edits a user are page
//! states in the address (`?deaktivieren=ID`, `?entfernen=ID`,
//! `?bearbeiten=ID`), so they work without JavaScript too.

use super::{
    list_users, AddUser, RemoveUser, RequireSecondFactor, ResendInvitation, SetUserActive, SetUserRights, UserRow, UserStatus, UsersOverview,
    ADD_SECTION, ROW_SECTION, SECOND_FACTOR_SECTION,
};
use crate::auth::RecentSignInGate;
use crate::i18n::Lang;
use crate::routes;
use crate::t;
use crate::ui::{refused, FormRefusal, PageTitle};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// The forms of the page, shared by its parts. Each posts to its server
/// function and comes back to this page (`?erledigt=…` or `?fehler=…`).
#[derive(Clone, Copy)]
struct Actions {
    add: ServerAction<AddUser>,
    resend: ServerAction<ResendInvitation>,
    set_active: ServerAction<SetUserActive>,
    set_rights: ServerAction<SetUserRights>,
    remove: ServerAction<RemoveUser>,
}

fn outcome_text(lang: Lang, outcome: &str) -> Option<String> {
    Some(match outcome {
        "hinzugefuegt" => t!(lang, "users-outcome-added"),
        "eingeladen" => t!(lang, "users-outcome-invited"),
        "gespeichert" => t!(lang, "users-outcome-saved"),
        "entfernt" => t!(lang, "users-outcome-removed"),
        "deaktiviert" => t!(lang, "users-outcome-deactivated"),
        "aktiviert" => t!(lang, "users-outcome-activated"),
        "zwei-faktor-verlangt" => t!(lang, "users-outcome-second-factor-required"),
        "zwei-faktor-freigestellt" => t!(lang, "users-outcome-second-factor-optional"),
        _ => return None,
    })
}


#[component]
pub fn UsersPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let actions = Actions {
        add: ServerAction::<AddUser>::new(),
        resend: ServerAction::<ResendInvitation>::new(),
        set_active: ServerAction::<SetUserActive>::new(),
        set_rights: ServerAction::<SetUserRights>::new(),
        remove: ServerAction::<RemoveUser>::new(),
    };
    let overview = Resource::new(|| (), |_| list_users());
    view! {
        <PageTitle title=t!(lang, "users-title")/>
        <Suspense fallback=move || view! { <p class="muted">{t!(lang, "users-loading")}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <Users overview actions/> }.into_any(),
                    Err(error) => view! { <section class="card">{refused(error)}</section> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Users(overview: UsersOverview, actions: Actions) -> impl IntoView {
    let lang = crate::i18n::lang();
    let query = use_query_map();
    let count = overview.rows.len();
    let max = overview.max;
    let caller_is_main = overview.caller_is_main;
    let (required, caller_has_it) = (overview.second_factor_required, overview.caller_has_second_factor);
    let rows = StoredValue::new(overview.rows);
    let row_from = move |key: &str| {
        let id = query.read().get(key).and_then(|id| id.parse::<i64>().ok())?;
        rows.with_value(|rows| rows.iter().find(|row| row.id == id && !row.is_self && (caller_is_main || !row.is_main)).cloned())
    };
    let notice = move || query.read().get("erledigt").and_then(|outcome| outcome_text(lang, &outcome));
    let refusal = FormRefusal::from_address(Some(ADD_SECTION), &["username", "email"]);
    view! {
        <section class="card">
            <h2 class="section-title">{t!(lang, "users-add-title")}</h2>
            <RecentSignInGate return_to=routes::USERS.to_owned()>
                <ActionForm action=actions.add>
                    {refusal.general()}
                    <p class="muted">{t!(lang, "users-add-intro")}</p>
                    <div class="field">
                        <label for="new-username">{t!(lang, "users-username")} <span class="required">"*"</span></label>
                        <input id="new-username" name="username" type="text" autocomplete="off" required minlength="3" maxlength="64"
                            aria-invalid=refusal.invalid("username")
                            aria-describedby=refusal.described_by("username", "new-username", Some("new-username-hint"))
                            autofocus=refusal.about("username")/>
                        {refusal.message("username", "new-username")}
                        <span class="hint" id="new-username-hint">{t!(lang, "users-username-hint")}</span>
                    </div>
                    <div class="field">
                        <label for="new-email">{t!(lang, "users-email")} <span class="required">"*"</span></label>
                        <input id="new-email" name="email" type="email" autocomplete="off" required maxlength="254"
                            aria-invalid=refusal.invalid("email") aria-describedby=refusal.described_by("email", "new-email", None)
                            autofocus=refusal.about("email")/>
                        {refusal.message("email", "new-email")}
                    </div>
                    {caller_is_main.then(|| view! { <RightsFields prefix="new" users=false forwardings=false/> })}
                    <div class="actions">
                        <button type="submit" class="button primary" disabled=move || actions.add.pending().get()>{t!(lang, "users-add-submit")}</button>
                    </div>
                </ActionForm>
            </RecentSignInGate>
        </section>
        <section class="card">
            <h2 class="section-title">{t!(lang, "users-list-title")}</h2>
            {move || notice().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            // The toggles in the rows come back with their own section; rights, invitation and removal without one.
            {FormRefusal::from_address(Some(ROW_SECTION), &[]).general()}
            {FormRefusal::from_address(None, &[]).general()}
            {move || row_from("deaktivieren").filter(|row| row.active).map(|row| view! {
                <div class="confirm-box" role="group" aria-labelledby="deactivate-question">
                    <p id="deactivate-question">
                        {t!(lang, "users-deactivate-question-before")} <strong>{row.username.clone()}</strong> {t!(lang, "users-deactivate-question-after")}
                        {t!(lang, "users-deactivate-explanation")}
                    </p>
                    <ActionForm action=actions.set_active>
                        <input type="hidden" name="id" value=row.id.to_string()/>
                        <input type="hidden" name="active" value="false"/>
                        <div class="actions">
                            <a class="button secondary" href=routes::USERS>{t!(lang, "users-cancel")}</a>
                            <button type="submit" class="button danger">{t!(lang, "users-deactivate")}</button>
                        </div>
                    </ActionForm>
                </div>
            })}
            {move || row_from("entfernen").map(|row| view! {
                <div class="confirm-box" role="group" aria-labelledby="remove-question">
                    <p id="remove-question">
                        {t!(lang, "users-remove-question-before")} <strong>{row.username.clone()}</strong> {t!(lang, "users-remove-question-after")}
                        {t!(lang, "users-remove-explanation")}
                    </p>
                    <ActionForm action=actions.remove>
                        <input type="hidden" name="id" value=row.id.to_string()/>
                        <div class="actions">
                            <a class="button secondary" href=routes::USERS>{t!(lang, "users-cancel")}</a>
                            <button type="submit" class="button danger">{t!(lang, "users-remove")}</button>
                        </div>
                    </ActionForm>
                </div>
            })}
            {move || row_from("bearbeiten").map(|row| view! { <EditBox row actions caller_is_main/> })}
            <p class="muted">{t!(lang, "users-count", count = count, max = max)}</p>
            <table class="document-table users-table">
                <caption class="visually-hidden">{t!(lang, "users-table-caption")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(lang, "users-username")}</th>
                        <th scope="col">{t!(lang, "users-email")}</th>
                        <th scope="col">{t!(lang, "users-column-active")}</th>
                        <th scope="col">{t!(lang, "users-column-status")}</th>
                        <th scope="col">{t!(lang, "users-column-last-sign-in")}</th>
                        <th scope="col">{t!(lang, "users-rights")}</th>
                        <th scope="col"><span class="visually-hidden">{t!(lang, "users-column-actions")}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {rows.with_value(|rows| rows.iter().map(|row| view! { <UserLine row=row.clone() actions caller_is_main/> }).collect_view())}
                </tbody>
            </table>
        </section>
        {caller_is_main.then(|| view! { <RequireSecondFactorForm required caller_has_it/> })}
    }
}

/// "Zwei-Faktor-Anmeldung für alle Benutzer verlangen" (main user only).
#[component]
fn RequireSecondFactorForm(required: bool, caller_has_it: bool) -> impl IntoView {
    let lang = crate::i18n::lang();
    let action = ServerAction::<RequireSecondFactor>::new();
    let refusal = FormRefusal::from_address(Some(SECOND_FACTOR_SECTION), &[]);
    view! {
        <section class="card">
            <h2 class="section-title">{t!(lang, "users-second-factor-title")}</h2>
            <p>{t!(lang, "users-second-factor-intro")}</p>
            {(!caller_has_it && !required).then(|| view! {
                <p class="muted">{t!(lang, "users-second-factor-set-up-first")}</p>
            })}
            <ActionForm action=action>
                {refusal.general()}
                <div class="choice">
                    <input type="checkbox" id="require-second-factor" name="required" value="on" checked=required/>
                    <label for="require-second-factor">{t!(lang, "users-second-factor-require")}</label>
                </div>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>{t!(lang, "users-save")}</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn RightsFields(prefix: &'static str, users: bool, forwardings: bool) -> impl IntoView {
    let lang = crate::i18n::lang();
    let users_id = format!("{prefix}-manage-users");
    let forwardings_id = format!("{prefix}-manage-forwardings");
    view! {
        <fieldset class="choices">
            <legend>{t!(lang, "users-rights")}</legend>
            <div class="choice">
                <input type="checkbox" id=users_id.clone() name="manage_users" value="on" checked=users/>
                <label for=users_id>{t!(lang, "users-right-manage-users")}</label>
            </div>
            <div class="choice">
                <input type="checkbox" id=forwardings_id.clone() name="manage_forwardings" value="on" checked=forwardings/>
                <label for=forwardings_id>{t!(lang, "users-right-manage-forwardings")}</label>
            </div>
        </fieldset>
    }
}

/// One line of the list. Aktiv is a real checkbox for the rows the caller
/// may not change; for the others it is a control that asks first (off) or
/// acts at once (on).
#[component]
fn UserLine(row: UserRow, actions: Actions, caller_is_main: bool) -> impl IntoView {
    let lang = crate::i18n::lang();
    let changeable = !row.is_self && (caller_is_main || !row.is_main);
    let status_class = match row.status {
        UserStatus::Active => "status ok",
        UserStatus::Invited => "status waiting",
        UserStatus::InvitationExpired | UserStatus::Deactivated => "status failed",
    };
    let (id, activate_label) = (row.id.to_string(), t!(lang, "users-activate-label", username = row.username.as_str()));
    let active_cell = if !changeable {
        view! {
            <input type="checkbox" checked=row.active disabled aria-label=t!(lang, "users-active-label", username = row.username.as_str())/>
        }
        .into_any()
    } else if row.active {
        view! {
            <a class="toggle on" href=format!("{}?deaktivieren={}", routes::USERS, row.id) role="checkbox" aria-checked="true"
                aria-label=t!(lang, "users-active-deactivate-label", username = row.username.as_str())>
                <span aria-hidden="true">"✓"</span>
            </a>
        }
        .into_any()
    } else {
        view! {
            <ActionForm action=actions.set_active>
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="active" value="true"/>
                <button type="submit" class="toggle off" role="checkbox" aria-checked="false" aria-label=activate_label>
                    <span aria-hidden="true">" "</span>
                </button>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <tr>
            <td data-label=t!(lang, "users-username")>
                <span class="user-cell">
                    <strong>{row.username.clone()}</strong>
                    {(row.full_name != row.username).then(|| view! { <span class="muted">{row.full_name.clone()}</span> })}
                    {row.is_self.then(|| view! { <span class="badge">{t!(lang, "users-you")}</span> })}
                </span>
            </td>
            <td data-label=t!(lang, "users-email")>{row.email.clone()}</td>
            <td data-label=t!(lang, "users-column-active")>{active_cell}</td>
            <td data-label=t!(lang, "users-column-status")>
                <span class=status_class>{row.status.label_in(lang)}</span>
                // Which users sign in with a second factor: the main user sees it here.
                <span class="second-factor-state">{if row.second_factor { t!(lang, "users-second-factor-yes") } else { t!(lang, "users-second-factor-no") }}</span>
            </td>
            <td data-label=t!(lang, "users-column-last-sign-in")>{row.last_sign_in.clone().unwrap_or_else(|| t!(lang, "users-never"))}</td>
            <td data-label=t!(lang, "users-rights")>{row.rights_label(lang)}</td>
            <td class="row-actions">
                {changeable.then(|| view! {
                    <a href=format!("{}?bearbeiten={}", routes::USERS, row.id) aria-label=t!(lang, "users-edit-user", username = row.username.as_str())>
                        {t!(lang, "users-edit")}
                    </a>
                })}
            </td>
        </tr>
    }
}

/// The box for one user: rights (main user only), a new invitation while no
/// password is set, and the way to remove them.
#[component]
fn EditBox(row: UserRow, actions: Actions, caller_is_main: bool) -> impl IntoView {
    let lang = crate::i18n::lang();
    let invitable = matches!(row.status, UserStatus::Invited | UserStatus::InvitationExpired);
    view! {
        <div class="confirm-box" role="group" aria-labelledby="edit-title">
            <h3 id="edit-title" class="section-title">{t!(lang, "users-edit-user", username = row.username.as_str())}</h3>
            {caller_is_main.then(|| view! {
                <ActionForm action=actions.set_rights>
                    <input type="hidden" name="id" value=row.id.to_string()/>
                    <RightsFields prefix="edit" users=row.can_manage_users forwardings=row.can_manage_forwardings/>
                    <div class="actions">
                        <button type="submit" class="button primary">{t!(lang, "users-save-rights")}</button>
                    </div>
                </ActionForm>
            })}
            {invitable.then(|| view! {
                <ActionForm action=actions.resend>
                    <input type="hidden" name="id" value=row.id.to_string()/>
                    <p class="muted">{t!(lang, "users-no-password-yet")}</p>
                    <div class="actions">
                        <button type="submit" class="button secondary">{t!(lang, "users-resend-invitation")}</button>
                    </div>
                </ActionForm>
            })}
            <div class="actions">
                <a class="button secondary" href=routes::USERS>{t!(lang, "users-close")}</a>
                <a class="button danger" href=format!("{}?entfernen={}", routes::USERS, row.id)>{t!(lang, "users-remove")}</a>
            </div>
        </div>
    }
}
