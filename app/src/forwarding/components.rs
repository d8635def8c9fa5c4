//! The Weiterleitungen page, the pages behind the mailed links, and the
//! delivery log. Every form is a plain HTML form first; the removal's
//! confirmation is a page state in the address (`?entfernen=ID`), so it
//! works without JavaScript too.

use super::{
    confirmation_info, end_info, get_delivery_log, list_forwardings, AddForwarding, ConfirmForwarding, DeclineForwarding, DeliveryLog,
    EndForwarding, ForwardingLinkInfo, ForwardingOverview, ForwardingStatus, RemoveForwarding, CONFIRMED_PARAM, DECLINED_PARAM,
    ENDED_PARAM,
};
use crate::auth::RecentSignInGate;
use crate::error::AppError;
use crate::routes;
use crate::ui::{refused, FormRefusal, PageTitle};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn loading() -> impl IntoView {
    view! { <p class="muted">"Wird geladen …"</p> }
}


#[component]
pub fn ForwardingsPage() -> impl IntoView {
    let add = ServerAction::<AddForwarding>::new();
    let remove = ServerAction::<RemoveForwarding>::new();
    let overview = Resource::new(|| (), |_| list_forwardings());
    view! {
        <PageTitle title="Weiterleitungen"/>
        <Suspense fallback=loading>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <Forwardings overview add remove/> }.into_any(),
                    Err(error) => view! { <section class="card">{refused(error)}</section> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Forwardings(
    overview: ForwardingOverview,
    add: ServerAction<AddForwarding>,
    remove: ServerAction<RemoveForwarding>,
) -> impl IntoView {
    let query = use_query_map();
    let added = move || {
        matches!(add.value().read().as_ref(), Some(Ok(())))
            || (add.value().read().is_none() && query.read().get("hinzugefuegt").is_some())
    };
    let removed = move || {
        matches!(remove.value().read().as_ref(), Some(Ok(())))
            || (remove.value().read().is_none() && query.read().get("entfernt").is_some())
    };
    let count = overview.rows.len();
    let max = overview.max;
    let rows = StoredValue::new(overview.rows);
    // The row whose removal waits for its confirmation.
    let to_remove = move || {
        let id = query.read().get("entfernen").and_then(|id| id.parse::<i64>().ok())?;
        rows.with_value(|rows| rows.iter().find(|row| row.id == id).cloned())
    };
    let types = StoredValue::new(overview.types);
    let refusal = FormRefusal::from_address(None, &["email", "confirm", "type_key"]);
    let remove_refusal = FormRefusal::from_address(Some(super::REMOVE_SECTION), &[]);
    view! {
        <section class="card">
            <h2 class="section-title">"Weiterleitung hinzufügen"</h2>
            <p>
                "Neue Dokumente werden mit dem PDF im Anhang an die Adresse gesendet – zum Beispiel an Ihre Buchhaltung "
                "oder an ein Postfach für die Rechnungsverarbeitung. Die Weiterleitung beginnt, sobald der Empfänger sie "
                "über den Link in unserer E-Mail bestätigt hat."
            </p>
            <RecentSignInGate return_to=routes::FORWARDINGS.to_owned()>
                <ActionForm action=add>
                    {move || added().then(|| view! {
                        <p class="notice" role="status">
                            "Die Weiterleitung ist gespeichert. Wir haben dem Empfänger eine E-Mail mit einem Bestätigungslink gesendet."
                        </p>
                    })}
                    {refusal.general()}
                    <div class="field">
                        <label for="forwarding-email">"E-Mail" <span class="required">"*"</span></label>
                        <input id="forwarding-email" name="email" type="email" autocomplete="off" required maxlength="254"
                            aria-invalid=refusal.invalid("email") aria-describedby=refusal.described_by("email", "forwarding-email", None)
                            autofocus=refusal.about("email")/>
                        {refusal.message("email", "forwarding-email")}
                    </div>
                    <div class="field">
                        <label for="forwarding-confirm">"E-Mail bestätigen" <span class="required">"*"</span></label>
                        <input id="forwarding-confirm" name="confirm" type="email" autocomplete="off" required maxlength="254"
                            aria-invalid=refusal.invalid("confirm") aria-describedby=refusal.described_by("confirm", "forwarding-confirm", None)
                            autofocus=refusal.about("confirm")/>
                        {refusal.message("confirm", "forwarding-confirm")}
                    </div>
                    <div class="field">
                        <label for="forwarding-type">"Dokumententyp" <span class="required">"*"</span></label>
                        <select id="forwarding-type" name="type_key"
                            aria-invalid=refusal.invalid("type_key") aria-describedby=refusal.described_by("type_key", "forwarding-type", None)
                            autofocus=refusal.about("type_key")>
                            <option value="">"alle Typen"</option>
                            {types.get_value().into_iter().map(|kind| view! { <option value=kind.key>{kind.name}</option> }).collect_view()}
                        </select>
                        {refusal.message("type_key", "forwarding-type")}
                    </div>
                    <div class="actions">
                        <button type="submit" class="button primary" disabled=move || add.pending().get()>"Speichern"</button>
                    </div>
                </ActionForm>
            </RecentSignInGate>
        </section>
        <section class="card">
            <h2 class="section-title">"Ihre Weiterleitungen"</h2>
            {move || removed().then(|| view! { <p class="notice" role="status">"Die Weiterleitung wurde entfernt."</p> })}
            {remove_refusal.general()}
            {move || to_remove().map(|row| view! {
                <div class="confirm-box" role="group" aria-labelledby="remove-question">
                    <p id="remove-question">
                        "Weiterleitung an " <strong>{row.email.clone()}</strong> " (" {row.types_label.clone()} ") wirklich entfernen? "
                        "Danach werden keine Dokumente mehr an diese Adresse gesendet."
                    </p>
                    <ActionForm action=remove>
                        <input type="hidden" name="id" value=row.id.to_string()/>
                        <div class="actions">
                            <a class="button secondary" href=routes::FORWARDINGS>"Abbrechen"</a>
                            <button type="submit" class="button danger" disabled=move || remove.pending().get()>"Entfernen"</button>
                        </div>
                    </ActionForm>
                </div>
            })}
            <p class="muted">{format!("{count} von höchstens {max} Weiterleitungen")}</p>
            {move || rows.with_value(|rows| if rows.is_empty() {
                view! { <p class="empty">"Es sind noch keine Weiterleitungen eingerichtet."</p> }.into_any()
            } else {
                view! {
                    <table class="document-table forwarding-table">
                        <caption class="visually-hidden">"Ihre Weiterleitungen"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"E-Mail"</th>
                                <th scope="col">"Dokumententypen"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col"><span class="visually-hidden">"Aktionen"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows.iter().map(|row| {
                                let status_class = match row.status {
                                    ForwardingStatus::Confirmed => "status ok",
                                    ForwardingStatus::Pending => "status waiting",
                                    ForwardingStatus::Expired => "status failed",
                                };
                                view! {
                                    <tr>
                                        <td data-label="E-Mail">{row.email.clone()}</td>
                                        <td data-label="Dokumententypen">{row.types_label.clone()}</td>
                                        <td data-label="Status"><span class=status_class>{row.status.label()}</span></td>
                                        <td class="row-actions">
                                            <a href=format!("{}?entfernen={}", routes::FORWARDINGS, row.id)
                                                aria-label=format!("Weiterleitung an {} entfernen", row.email)>"Entfernen"</a>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            })}
        </section>
    }
}

/// What a page behind a forwarding link says about it.
fn link_summary(info: &ForwardingLinkInfo) -> impl IntoView {
    view! {
        <dl class="facts">
            <dt>"Kunde"</dt><dd>{format!("{} (Kundennummer {})", info.customer_name, info.customer_number)}</dd>
            <dt>"E-Mail-Adresse"</dt><dd>{info.email.clone()}</dd>
            <dt>"Dokumententypen"</dt><dd>{info.types_label.clone()}</dd>
        </dl>
    }
}

/// The page behind a forwarding's confirmation mail: confirm or decline.
/// Opening the link changes nothing (mail scanners open links too); only a
/// button does.
#[component]
pub fn ForwardingConfirmPage() -> impl IntoView {
    let confirm = ServerAction::<ConfirmForwarding>::new();
    let decline = ServerAction::<DeclineForwarding>::new();
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let answered = move || {
        let query = query.read();
        if matches!(confirm.value().read().as_ref(), Some(Ok(()))) || query.get(CONFIRMED_PARAM).is_some() {
            Some("Vielen Dank. Die Weiterleitung ist bestätigt: Neue Dokumente kommen ab jetzt an diese Adresse. Jede dieser E-Mails enthält einen Link, mit dem Sie die Weiterleitung wieder beenden.")
        } else if matches!(decline.value().read().as_ref(), Some(Ok(()))) || query.get(DECLINED_PARAM).is_some() {
            Some("Die Weiterleitung wurde abgelehnt. An diese Adresse wird nichts gesendet.")
        } else {
            None
        }
    };
    let info = Resource::new(move || token.get(), |token| async move {
        if token.is_empty() { Err(AppError::ForwardingLinkInvalid) } else { confirmation_info(token).await }
    });
    view! {
        <PageTitle title="Weiterleitung bestätigen"/>
        <section class="card narrow">
            {move || match answered() {
                Some(text) => view! { <p class="notice" role="status">{text}</p> }.into_any(),
                None => view! {
                    <Suspense fallback=loading>
                        {move || Suspend::new(async move {
                            match info.await {
                                Ok(info) => view! {
                                    <p>"Dokumente aus dem Kundenportal sollen an Ihre E-Mail-Adresse weitergeleitet werden:"</p>
                                    {link_summary(&info)}
                                    // Either button's refusal comes back to this page, shown once.
                                    {FormRefusal::from_address(None, &[]).general()}
                                    <div class="actions">
                                        <ActionForm action=decline>
                                            <input type="hidden" name="token" value=token.get_untracked()/>
                                            <button type="submit" class="button secondary">"Ablehnen"</button>
                                        </ActionForm>
                                        <ActionForm action=confirm>
                                            <input type="hidden" name="token" value=token.get_untracked()/>
                                            <button type="submit" class="button primary">"Weiterleitung bestätigen"</button>
                                        </ActionForm>
                                    </div>
                                }
                                .into_any(),
                                Err(error) => refused(error),
                            }
                        })}
                    </Suspense>
                }
                .into_any(),
            }}
        </section>
    }
}

/// The page behind the link in every forwarded mail: end the forwarding.
#[component]
pub fn ForwardingEndPage() -> impl IntoView {
    let end = ServerAction::<EndForwarding>::new();
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let ended = move || matches!(end.value().read().as_ref(), Some(Ok(()))) || query.read().get(ENDED_PARAM).is_some();
    let info = Resource::new(move || token.get(), |token| async move {
        if token.is_empty() { Err(AppError::ForwardingLinkInvalid) } else { end_info(token).await }
    });
    view! {
        <PageTitle title="Weiterleitung beenden"/>
        <section class="card narrow">
            {move || if ended() {
                view! {
                    <p class="notice" role="status">
                        "Die Weiterleitung ist beendet. An diese Adresse werden keine Dokumente mehr gesendet; der Kunde wurde informiert."
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <Suspense fallback=loading>
                        {move || Suspend::new(async move {
                            match info.await {
                                Ok(info) => view! {
                                    <p>"Sie erhalten neue Dokumente aus dem Kundenportal über diese Weiterleitung:"</p>
                                    {link_summary(&info)}
                                    {FormRefusal::from_address(None, &[]).general()}
                                    <ActionForm action=end>
                                        <input type="hidden" name="token" value=token.get_untracked()/>
                                        <div class="actions">
                                            <button type="submit" class="button primary">"Weiterleitung beenden"</button>
                                        </div>
                                    </ActionForm>
                                }
                                .into_any(),
                                Err(error) => refused(error),
                            }
                        })}
                    </Suspense>
                }
                .into_any()
            }}
        </section>
    }
}

/// Which mails went out for one document (`?dokument=ID`).
#[component]
pub fn DeliveryLogPage() -> impl IntoView {
    let query = use_query_map();
    let document = Memo::new(move |_| query.read().get("dokument").and_then(|id| id.parse::<i64>().ok()));
    let log = Resource::new(move || document.get(), |document| async move {
        match document {
            Some(id) => get_delivery_log(id).await.map(Some),
            None => Ok(None),
        }
    });
    view! {
        <PageTitle title="Versandprotokoll"/>
        <section class="card">
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match log.await {
                        Ok(Some(log)) => view! { <DeliveryTable log/> }.into_any(),
                        // Reached without a document: the list is where one is chosen.
                        Ok(None) => view! { <p>"Wählen Sie in der Dokumentenliste bei einem Dokument „Versand“."</p> }.into_any(),
                        Err(error) => refused(error),
                    }
                })}
            </Suspense>
            <p><a href=routes::DOCUMENTS>"Zurück zu den Dokumenten"</a></p>
        </section>
    }
}

#[component]
fn DeliveryTable(log: DeliveryLog) -> impl IntoView {
    let entries = if log.entries.is_empty() {
        view! { <p class="empty">"Für dieses Dokument wurden keine E-Mails versendet."</p> }.into_any()
    } else {
        view! {
            <table class="document-table delivery-table">
                <caption class="visually-hidden">{format!("E-Mails zu {}", log.document)}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Empfänger"</th>
                        <th scope="col">"Art"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Zeit"</th>
                    </tr>
                </thead>
                <tbody>
                    {log.entries.into_iter().map(|entry| view! {
                        <tr class:failed=entry.failed>
                            <td data-label="Empfänger">{entry.recipient}</td>
                            <td data-label="Art">{entry.kind}</td>
                            <td data-label="Status">
                                {entry.status}
                                {entry.reason.map(|reason| view! { <br/><span class="reason">{reason}</span> })}
                            </td>
                            <td data-label="Zeit">{entry.at}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <h2 class="section-title">{log.document}</h2>
        {entries}
    }
}
