//! The Weiterleitungen page, the pages behind the mailed links, and the
//! delivery log. Every form is a plain HTML form first; the removal's
//! confirmation is a page state in the address (`?entfernen=ID`), so it
//! works without JavaScript too.

use super::{
    confirmation_info, end_info, get_delivery_log, list_forwardings, AddForwarding, ConfirmForwarding, DeclineForwarding, DeliveryLog,
    EndForwarding, ForwardingLinkInfo, ForwardingOverview, ForwardingStatus, RemoveForwarding, CONFIRMED_PARAM, DECLINED_PARAM,
    ENDED_PARAM, SENDS_PARAM,
};
use crate::auth::RecentSignInGate;
use crate::domain::AttachmentParts;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::routes;
use crate::t;
use crate::ui::{refused, FormRefusal, PageTitle};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

fn loading() -> impl IntoView {
    let lang = crate::i18n::lang();
    view! { <p class="muted">{t!(lang, "ui-loading")}</p> }
}


#[component]
pub fn ForwardingsPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let add = ServerAction::<AddForwarding>::new();
    let remove = ServerAction::<RemoveForwarding>::new();
    let overview = Resource::new(|| (), |_| list_forwardings());
    view! {
        <PageTitle title=t!(lang, "forwarding-title")/>
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
    let lang = crate::i18n::lang();
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
    let refusal = FormRefusal::from_address(None, &["email", "confirm", "type_key", "sends"]);
    // What a refused plain post had chosen; else the PDF, as before e-invoices.
    let sends = query.read_untracked().get(SENDS_PARAM).and_then(|key| AttachmentParts::parse(&key).ok()).unwrap_or_default();
    let remove_refusal = FormRefusal::from_address(Some(super::REMOVE_SECTION), &[]);
    view! {
        <section class="card">
            <h2 class="section-title">{t!(lang, "forwarding-add-title")}</h2>
            <p>{t!(lang, "forwarding-add-intro")}</p>
            <RecentSignInGate return_to=routes::FORWARDINGS.to_owned()>
                <ActionForm action=add>
                    {move || added().then(|| view! {
                        <p class="notice" role="status">{t!(lang, "forwarding-added")}</p>
                    })}
                    {refusal.general()}
                    <div class="field">
                        <label for="forwarding-email">{t!(lang, "forwarding-email")} <span class="required">"*"</span></label>
                        <input id="forwarding-email" name="email" type="email" autocomplete="off" required maxlength="254"
                            aria-invalid=refusal.invalid("email") aria-describedby=refusal.described_by("email", "forwarding-email", None)
                            autofocus=refusal.about("email")/>
                        {refusal.message("email", "forwarding-email")}
                    </div>
                    <div class="field">
                        <label for="forwarding-confirm">{t!(lang, "forwarding-email-confirm")} <span class="required">"*"</span></label>
                        <input id="forwarding-confirm" name="confirm" type="email" autocomplete="off" required maxlength="254"
                            aria-invalid=refusal.invalid("confirm") aria-describedby=refusal.described_by("confirm", "forwarding-confirm", None)
                            autofocus=refusal.about("confirm")/>
                        {refusal.message("confirm", "forwarding-confirm")}
                    </div>
                    <div class="field">
                        <label for="forwarding-type">{t!(lang, "forwarding-type")} <span class="required">"*"</span></label>
                        <select id="forwarding-type" name="type_key"
                            aria-invalid=refusal.invalid("type_key") aria-describedby=refusal.described_by("type_key", "forwarding-type", None)
                            autofocus=refusal.about("type_key")>
                            <option value="">{t!(lang, "forwarding-all-types")}</option>
                            {types.get_value().into_iter().map(|kind| view! { <option value=kind.key>{kind.name}</option> }).collect_view()}
                        </select>
                        {refusal.message("type_key", "forwarding-type")}
                    </div>
                    <fieldset class="choices">
                        <legend>{t!(lang, "forwarding-sends")}</legend>
                        {AttachmentParts::ALL.into_iter().map(|choice| {
                            let id = format!("forwarding-sends-{}", choice.key());
                            view! {
                                <div class="choice">
                                    <input type="radio" id=id.clone() name="sends" value=choice.key() checked=choice == sends
                                        aria-invalid=refusal.invalid("sends")
                                        aria-describedby=refusal.described_by("sends", "forwarding-sends", Some("forwarding-sends-hint"))
                                        autofocus=refusal.about("sends") && choice == sends/>
                                    <label for=id>{choice.label(lang)}</label>
                                </div>
                            }
                        }).collect_view()}
                        <p class="hint" id="forwarding-sends-hint">{t!(lang, "forwarding-sends-hint")}</p>
                        {refusal.message("sends", "forwarding-sends")}
                    </fieldset>
                    <div class="actions">
                        <button type="submit" class="button primary" disabled=move || add.pending().get()>{t!(lang, "forwarding-save")}</button>
                    </div>
                </ActionForm>
            </RecentSignInGate>
        </section>
        <section class="card">
            <h2 class="section-title">{t!(lang, "forwarding-list-title")}</h2>
            {move || removed().then(|| view! { <p class="notice" role="status">{t!(lang, "forwarding-removed")}</p> })}
            {remove_refusal.general()}
            {move || to_remove().map(|row| view! {
                <div class="confirm-box" role="group" aria-labelledby="remove-question">
                    <p id="remove-question">
                        {t!(lang, "forwarding-remove-question-start")} " " <strong>{row.email.clone()}</strong> " "
                        {t!(lang, "forwarding-remove-question-end", types = row.types_label.as_str())}
                    </p>
                    <ActionForm action=remove>
                        <input type="hidden" name="id" value=row.id.to_string()/>
                        <div class="actions">
                            <a class="button secondary" href=routes::FORWARDINGS>{t!(lang, "forwarding-cancel")}</a>
                            <button type="submit" class="button danger" disabled=move || remove.pending().get()>{t!(lang, "forwarding-remove")}</button>
                        </div>
                    </ActionForm>
                </div>
            })}
            <p class="muted">{t!(lang, "forwarding-count", count = count, max = max)}</p>
            {move || rows.with_value(|rows| if rows.is_empty() {
                view! { <p class="empty">{t!(lang, "forwarding-empty")}</p> }.into_any()
            } else {
                view! {
                    <table class="document-table forwarding-table">
                        <caption class="visually-hidden">{t!(lang, "forwarding-list-title")}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{t!(lang, "forwarding-email")}</th>
                                <th scope="col">{t!(lang, "forwarding-types")}</th>
                                <th scope="col">{t!(lang, "forwarding-sends")}</th>
                                <th scope="col">{t!(lang, "forwarding-status")}</th>
                                <th scope="col"><span class="visually-hidden">{t!(lang, "forwarding-actions")}</span></th>
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
                                        <td class="forwarding-address" data-label=t!(lang, "forwarding-email")>{row.email.clone()}</td>
                                        <td data-label=t!(lang, "forwarding-types")>{row.types_label.clone()}</td>
                                        <td data-label=t!(lang, "forwarding-sends")>{row.sends.label(lang)}</td>
                                        <td data-label=t!(lang, "forwarding-status")><span class=status_class>{row.status.label(lang)}</span></td>
                                        <td class="row-actions">
                                            <a href=format!("{}?entfernen={}", routes::FORWARDINGS, row.id)
                                                aria-label=t!(lang, "forwarding-remove-label", email = row.email.as_str())>{t!(lang, "forwarding-remove")}</a>
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
fn link_summary(info: &ForwardingLinkInfo, lang: Lang) -> impl IntoView {
    let customer = t!(lang, "forwarding-customer-value", name = info.customer_name.as_str(), number = info.customer_number.as_str());
    view! {
        <dl class="facts">
            <dt>{t!(lang, "forwarding-customer")}</dt><dd>{customer}</dd>
            <dt>{t!(lang, "forwarding-email-address")}</dt><dd>{info.email.clone()}</dd>
            <dt>{t!(lang, "forwarding-types")}</dt><dd>{info.types_label.clone()}</dd>
            <dt>{t!(lang, "forwarding-sends")}</dt><dd>{info.sends.label(lang)}</dd>
        </dl>
    }
}

/// The page behind a forwarding's confirmation mail: confirm or decline.
/// Opening the link changes nothing (mail scanners open links too); only a
/// button does.
#[component]
pub fn ForwardingConfirmPage() -> impl IntoView {
    let lang = crate::i18n::lang();
    let confirm = ServerAction::<ConfirmForwarding>::new();
    let decline = ServerAction::<DeclineForwarding>::new();
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let answered = move || {
        let query = query.read();
        if matches!(confirm.value().read().as_ref(), Some(Ok(()))) || query.get(CONFIRMED_PARAM).is_some() {
            Some(t!(lang, "forwarding-confirmed"))
        } else if matches!(decline.value().read().as_ref(), Some(Ok(()))) || query.get(DECLINED_PARAM).is_some() {
            Some(t!(lang, "forwarding-declined"))
        } else {
            None
        }
    };
    let info = Resource::new(move || token.get(), |token| async move {
        if token.is_empty() { Err(AppError::ForwardingLinkInvalid) } else { confirmation_info(token).await }
    });
    view! {
        <PageTitle title=t!(lang, "forwarding-confirm-title")/>
        <section class="card narrow">
            {move || match answered() {
                Some(text) => view! { <p class="notice" role="status">{text}</p> }.into_any(),
                None => view! {
                    <Suspense fallback=loading>
                        {move || Suspend::new(async move {
                            match info.await {
                                Ok(info) => view! {
                                    <p>{t!(lang, "forwarding-confirm-intro")}</p>
                                    {link_summary(&info, lang)}
                                    // Either button's refusal comes back to this page, shown once.
                                    {FormRefusal::from_address(None, &[]).general()}
                                    <div class="actions">
                                        <ActionForm action=decline>
                                            <input type="hidden" name="token" value=token.get_untracked()/>
                                            <button type="submit" class="button secondary">{t!(lang, "forwarding-decline")}</button>
                                        </ActionForm>
                                        <ActionForm action=confirm>
                                            <input type="hidden" name="token" value=token.get_untracked()/>
                                            <button type="submit" class="button primary">{t!(lang, "forwarding-confirm-title")}</button>
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
    let lang = crate::i18n::lang();
    let end = ServerAction::<EndForwarding>::new();
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let ended = move || matches!(end.value().read().as_ref(), Some(Ok(()))) || query.read().get(ENDED_PARAM).is_some();
    let info = Resource::new(move || token.get(), |token| async move {
        if token.is_empty() { Err(AppError::ForwardingLinkInvalid) } else { end_info(token).await }
    });
    view! {
        <PageTitle title=t!(lang, "forwarding-end-title")/>
        <section class="card narrow">
            {move || if ended() {
                view! {
                    <p class="notice" role="status">{t!(lang, "forwarding-ended")}</p>
                }
                .into_any()
            } else {
                view! {
                    <Suspense fallback=loading>
                        {move || Suspend::new(async move {
                            match info.await {
                                Ok(info) => view! {
                                    <p>{t!(lang, "forwarding-end-intro")}</p>
                                    {link_summary(&info, lang)}
                                    {FormRefusal::from_address(None, &[]).general()}
                                    <ActionForm action=end>
                                        <input type="hidden" name="token" value=token.get_untracked()/>
                                        <div class="actions">
                                            <button type="submit" class="button primary">{t!(lang, "forwarding-end-title")}</button>
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
    let lang = crate::i18n::lang();
    let query = use_query_map();
    let document = Memo::new(move |_| query.read().get("dokument").and_then(|id| id.parse::<i64>().ok()));
    let log = Resource::new(move || document.get(), |document| async move {
        match document {
            Some(id) => get_delivery_log(id).await.map(Some),
            None => Ok(None),
        }
    });
    view! {
        <PageTitle title=t!(lang, "forwarding-log-title")/>
        <section class="card">
            <Suspense fallback=loading>
                {move || Suspend::new(async move {
                    match log.await {
                        Ok(Some(log)) => view! { <DeliveryTable log/> }.into_any(),
                        // Reached without a document: the list is where one is chosen.
                        Ok(None) => view! { <p>{t!(lang, "forwarding-log-choose")}</p> }.into_any(),
                        Err(error) => refused(error),
                    }
                })}
            </Suspense>
            <p><a href=routes::DOCUMENTS>{t!(lang, "forwarding-log-back")}</a></p>
        </section>
    }
}

#[component]
fn DeliveryTable(log: DeliveryLog) -> impl IntoView {
    let lang = crate::i18n::lang();
    let entries = if log.entries.is_empty() {
        view! { <p class="empty">{t!(lang, "forwarding-log-empty")}</p> }.into_any()
    } else {
        view! {
            <table class="document-table delivery-table">
                <caption class="visually-hidden">{t!(lang, "forwarding-log-caption", document = log.document.as_str())}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(lang, "forwarding-log-recipient")}</th>
                        <th scope="col">{t!(lang, "forwarding-log-kind")}</th>
                        <th scope="col">{t!(lang, "forwarding-log-status")}</th>
                        <th scope="col">{t!(lang, "forwarding-log-time")}</th>
                    </tr>
                </thead>
                <tbody>
                    {log.entries.into_iter().map(|entry| view! {
                        <tr class:failed=entry.failed>
                            <td data-label=t!(lang, "forwarding-log-recipient")>{entry.recipient}</td>
                            <td data-label=t!(lang, "forwarding-log-kind")>{entry.kind}</td>
                            <td data-label=t!(lang, "forwarding-log-status")>
                                {entry.status}
                                {entry.reason.map(|reason| view! { <br/><span class="reason">{reason}</span> })}
                            </td>
                            <td data-label=t!(lang, "forwarding-log-time")>{entry.at}</td>
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
