//! The Benutzer page. Every form is a plain HTML form first; the boxes that
//! confirm a deactivation or removal and the one that edits a user are page
//! states in the address (`?deaktivieren=ID`, `?entfernen=ID`,
//! `?bearbeiten=ID`), so they work without JavaScript too.

use super::{
    list_users, AddUser, RemoveUser, RequireSecondFactor, ResendInvitation, SetUserActive, SetUserRights, UserRow, UserStatus, UsersOverview,
    ADD_SECTION, ROW_SECTION, SECOND_FACTOR_SECTION,
};
use crate::auth::RecentSignInGate;
use crate::routes;
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

fn outcome_text(outcome: &str) -> Option<&'static str> {
    Some(match outcome {
        "hinzugefuegt" => "Der Benutzer ist angelegt. Er erhält eine E-Mail mit einem Link, über den er sein Passwort festlegt.",
        "eingeladen" => "Die Einladung wurde erneut gesendet. Der bisherige Link gilt nicht mehr.",
        "gespeichert" => "Die Rechte sind gespeichert.",
        "entfernt" => "Der Benutzer wurde entfernt.",
        "deaktiviert" => "Der Benutzer ist deaktiviert. Seine Anmeldungen wurden beendet.",
        "aktiviert" => "Der Benutzer ist wieder aktiv und kann sich anmelden.",
        "zwei-faktor-verlangt" => {
            "Die Zwei-Faktor-Anmeldung ist jetzt für alle Benutzer vorgeschrieben. Wer sie noch nicht hat, richtet sie vor allem anderen ein."
        }
        "zwei-faktor-freigestellt" => "Die Zwei-Faktor-Anmeldung ist nicht mehr vorgeschrieben. Wer sie eingerichtet hat, behält sie.",
        _ => return None,
    })
}


#[component]
pub fn UsersPage() -> impl IntoView {
    let actions = Actions {
        add: ServerAction::<AddUser>::new(),
        resend: ServerAction::<ResendInvitation>::new(),
        set_active: ServerAction::<SetUserActive>::new(),
        set_rights: ServerAction::<SetUserRights>::new(),
        remove: ServerAction::<RemoveUser>::new(),
    };
    let overview = Resource::new(|| (), |_| list_users());
    view! {
        <PageTitle title="Benutzer"/>
        <Suspense fallback=|| view! { <p class="muted">"Wird geladen …"</p> }>
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
    let notice = move || query.read().get("erledigt").and_then(|outcome| outcome_text(&outcome));
    let refusal = FormRefusal::from_address(Some(ADD_SECTION), &["username", "email"]);
    view! {
        <section class="card">
            <h2 class="section-title">"Benutzer hinzufügen"</h2>
            <RecentSignInGate return_to=routes::USERS.to_owned()>
                <ActionForm action=actions.add>
                    {refusal.general()}
                    <p class="muted">"Der neue Benutzer erhält eine E-Mail mit einem Link, über den er sein Passwort festlegt (72 Stunden gültig)."</p>
                    <div class="field">
                        <label for="new-username">"Benutzername" <span class="required">"*"</span></label>
                        <input id="new-username" name="username" type="text" autocomplete="off" required minlength="3" maxlength="64"
                            aria-invalid=refusal.invalid("username")
                            aria-describedby=refusal.described_by("username", "new-username", Some("new-username-hint"))
                            autofocus=refusal.about("username")/>
                        {refusal.message("username", "new-username")}
                        <span class="hint" id="new-username-hint">"3 bis 64 Zeichen: Buchstaben ohne Umlaute, Ziffern und . _ - @"</span>
                    </div>
                    <div class="field">
                        <label for="new-email">"E-Mail" <span class="required">"*"</span></label>
                        <input id="new-email" name="email" type="email" autocomplete="off" required maxlength="254"
                            aria-invalid=refusal.invalid("email") aria-describedby=refusal.described_by("email", "new-email", None)
                            autofocus=refusal.about("email")/>
                        {refusal.message("email", "new-email")}
                    </div>
                    {caller_is_main.then(|| view! { <RightsFields prefix="new" users=false forwardings=false/> })}
                    <div class="actions">
                        <button type="submit" class="button primary" disabled=move || actions.add.pending().get()>"Benutzer hinzufügen"</button>
                    </div>
                </ActionForm>
            </RecentSignInGate>
        </section>
        <section class="card">
            <h2 class="section-title">"Ihre Benutzer"</h2>
            {move || notice().map(|text| view! { <p class="notice" role="status">{text}</p> })}
            // The toggles in the rows come back with their own section; rights, invitation and removal without one.
            {FormRefusal::from_address(Some(ROW_SECTION), &[]).general()}
            {FormRefusal::from_address(None, &[]).general()}
            {move || row_from("deaktivieren").filter(|row| row.active).map(|row| view! {
                <div class="confirm-box" role="group" aria-labelledby="deactivate-question">
                    <p id="deactivate-question">
                        "Benutzer " <strong>{row.username.clone()}</strong> " wirklich deaktivieren? "
                        "Seine Anmeldungen enden sofort, offene Links gelten nicht mehr und er erhält keine Benachrichtigungen."
                    </p>
                    <ActionForm action=actions.set_active>
                        <input type="hidden" name="id" value=row.id.to_string()/>
                        <input type="hidden" name="active" value="false"/>
                        <div class="actions">
                            <a class="button secondary" href=routes::USERS>"Abbrechen"</a>
                            <button type="submit" class="button danger">"Deaktivieren"</button>
                        </div>
                    </ActionForm>
                </div>
            })}
            {move || row_from("entfernen").map(|row| view! {
                <div class="confirm-box" role="group" aria-labelledby="remove-question">
                    <p id="remove-question">
                        "Benutzer " <strong>{row.username.clone()}</strong> " wirklich entfernen? "
                        "Er kann sich danach nicht mehr anmelden; das Aktivitätsprotokoll behält seinen Namen."
                    </p>
                    <ActionForm action=actions.remove>
                        <input type="hidden" name="id" value=row.id.to_string()/>
                        <div class="actions">
                            <a class="button secondary" href=routes::USERS>"Abbrechen"</a>
                            <button type="submit" class="button danger">"Entfernen"</button>
                        </div>
                    </ActionForm>
                </div>
            })}
            {move || row_from("bearbeiten").map(|row| view! { <EditBox row actions caller_is_main/> })}
            <p class="muted">{format!("{count} von höchstens {max} Benutzern")}</p>
            <table class="document-table users-table">
                <caption class="visually-hidden">"Benutzer Ihres Zugangs"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Benutzername"</th>
                        <th scope="col">"E-Mail"</th>
                        <th scope="col">"Aktiv"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Letzte Anmeldung"</th>
                        <th scope="col">"Rechte"</th>
                        <th scope="col"><span class="visually-hidden">"Aktionen"</span></th>
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
    let action = ServerAction::<RequireSecondFactor>::new();
    let refusal = FormRefusal::from_address(Some(SECOND_FACTOR_SECTION), &[]);
    view! {
        <section class="card">
            <h2 class="section-title">"Zwei-Faktor-Anmeldung"</h2>
            <p>"Verlangen Sie von allen Benutzern Ihres Kundenkontos bei der Anmeldung einen Code aus einer Authenticator-App. Wer sie noch nicht eingerichtet hat, richtet sie bei der nächsten Anmeldung ein, bevor er etwas anderes tun kann."</p>
            {(!caller_has_it && !required).then(|| view! {
                <p class="muted">"Richten Sie die Zwei-Faktor-Anmeldung dazu zuerst für sich selbst ein (Profil → Zwei-Faktor-Anmeldung)."</p>
            })}
            <ActionForm action=action>
                {refusal.general()}
                <div class="choice">
                    <input type="checkbox" id="require-second-factor" name="required" value="on" checked=required/>
                    <label for="require-second-factor">"Zwei-Faktor-Anmeldung für alle Benutzer verlangen"</label>
                </div>
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || action.pending().get()>"Speichern"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn RightsFields(prefix: &'static str, users: bool, forwardings: bool) -> impl IntoView {
    let users_id = format!("{prefix}-manage-users");
    let forwardings_id = format!("{prefix}-manage-forwardings");
    view! {
        <fieldset class="choices">
            <legend>"Rechte"</legend>
            <div class="choice">
                <input type="checkbox" id=users_id.clone() name="manage_users" value="on" checked=users/>
                <label for=users_id>"Benutzer verwalten"</label>
            </div>
            <div class="choice">
                <input type="checkbox" id=forwardings_id.clone() name="manage_forwardings" value="on" checked=forwardings/>
                <label for=forwardings_id>"Weiterleitungen verwalten"</label>
            </div>
        </fieldset>
    }
}

/// One line of the list. Aktiv is a real checkbox for the rows the caller
/// may not change; for the others it is a control that asks first (off) or
/// acts at once (on).
#[component]
fn UserLine(row: UserRow, actions: Actions, caller_is_main: bool) -> impl IntoView {
    let changeable = !row.is_self && (caller_is_main || !row.is_main);
    let status_class = match row.status {
        UserStatus::Active => "status ok",
        UserStatus::Invited => "status waiting",
        UserStatus::InvitationExpired | UserStatus::Deactivated => "status failed",
    };
    let (id, activate_label) = (row.id.to_string(), format!("{} aktivieren", row.username));
    let active_cell = if !changeable {
        view! {
            <input type="checkbox" checked=row.active disabled aria-label=format!("{} aktiv", row.username)/>
        }
        .into_any()
    } else if row.active {
        view! {
            <a class="toggle on" href=format!("{}?deaktivieren={}", routes::USERS, row.id) role="checkbox" aria-checked="true"
                aria-label=format!("{} aktiv – deaktivieren", row.username)>
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
            <td data-label="Benutzername">
                <span class="user-cell">
                    <strong>{row.username.clone()}</strong>
                    {(row.full_name != row.username).then(|| view! { <span class="muted">{row.full_name.clone()}</span> })}
                    {row.is_self.then(|| view! { <span class="badge">"Sie"</span> })}
                </span>
            </td>
            <td data-label="E-Mail">{row.email.clone()}</td>
            <td data-label="Aktiv">{active_cell}</td>
            <td data-label="Status">
                <span class=status_class>{row.status.label()}</span>
                // Which users sign in with a second factor: the main user sees it here.
                <span class="second-factor-state">{if row.second_factor { "Zwei-Faktor: ja" } else { "Zwei-Faktor: nein" }}</span>
            </td>
            <td data-label="Letzte Anmeldung">{row.last_sign_in.clone().unwrap_or_else(|| "noch nie".to_owned())}</td>
            <td data-label="Rechte">{row.rights_label()}</td>
            <td class="row-actions">
                {changeable.then(|| view! {
                    <a href=format!("{}?bearbeiten={}", routes::USERS, row.id) aria-label=format!("Benutzer {} bearbeiten", row.username)>
                        "Bearbeiten"
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
    let invitable = matches!(row.status, UserStatus::Invited | UserStatus::InvitationExpired);
    view! {
        <div class="confirm-box" role="group" aria-labelledby="edit-title">
            <h3 id="edit-title" class="section-title">{format!("Benutzer {} bearbeiten", row.username)}</h3>
            {caller_is_main.then(|| view! {
                <ActionForm action=actions.set_rights>
                    <input type="hidden" name="id" value=row.id.to_string()/>
                    <RightsFields prefix="edit" users=row.can_manage_users forwardings=row.can_manage_forwardings/>
                    <div class="actions">
                        <button type="submit" class="button primary">"Rechte speichern"</button>
                    </div>
                </ActionForm>
            })}
            {invitable.then(|| view! {
                <ActionForm action=actions.resend>
                    <input type="hidden" name="id" value=row.id.to_string()/>
                    <p class="muted">"Noch kein Passwort festgelegt. Eine neue Einladung ersetzt den bisherigen Link."</p>
                    <div class="actions">
                        <button type="submit" class="button secondary">"Einladung erneut senden"</button>
                    </div>
                </ActionForm>
            })}
            <div class="actions">
                <a class="button secondary" href=routes::USERS>"Schließen"</a>
                <a class="button danger" href=format!("{}?entfernen={}", routes::USERS, row.id)>"Entfernen"</a>
            </div>
        </div>
    }
}
