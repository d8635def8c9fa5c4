# Kundenportal — Deutsch (die Quelle: jede Meldung steht zuerst hier).
#
# Ids: Bereich-Seite-Was, klein mit Bindestrichen (auth-login-title).
# Argumente in { $name }; Beträge und Daten kommen fertig formatiert an.

## Sprache

language-name-de = Deutsch
language-name-en = English
language-switch-label = Sprache

## Das Portal

portal-name = Kundenportal
# Ein Formular, auf das keine Antwort kam (im Browser).
form-calls-unreachable = Der Server ist nicht erreichbar. Bitte prüfen Sie Ihre Verbindung.

## Profil → Sprache

profile-language-section = Sprache
profile-language-legend = Sprache des Kundenportals
profile-language-hint = In dieser Sprache zeigt das Kundenportal seine Seiten nach der Anmeldung und schreibt Ihnen E-Mails.
profile-language-save = Speichern
profile-language-saved = Ihre Sprache ist gespeichert.
profile-language-loading = Wird geladen …

## Aktivitätsprotokoll: die Details der Einträge
audit-user = Benutzer { $username }
audit-user-created = Benutzer { $username } ({ $rights })
audit-user-rights = Benutzer { $username }: { $rights }
audit-right-manage-users = Benutzer verwalten
audit-right-manage-forwardings = Weiterleitungen verwalten
audit-rights-none = ohne Rechte
audit-user-add-refused = Benutzer { $username }: { $reason }
audit-invitation-refused = Einladung an Benutzer { $id }: { $reason }
audit-reason-adds-used-up = Tageskontingent erschöpft
audit-reason-username-taken = Name bereits vergeben
audit-reason-limit-reached = Höchstzahl erreicht
audit-reason-forwarding-exists = gibt es bereits
audit-customer-created = Kunde { $number } mit Hauptbenutzer { $username }
audit-privacy-accepted = Version { $version }
audit-privacy-published = version { $version }
audit-password-for-confirmation = Passwort bestätigen
audit-password-for-password-change = Passwort ändern
audit-password-for-email-change = E-Mail-Adresse ändern
audit-password-for-second-factor-off = Zwei-Faktor-Anmeldung ausschalten
audit-passwords-expire = { $date } ({ $count } Benutzer)
audit-sessions-ended = { $count ->
    [one] { $count } Sitzung
   *[other] { $count } Sitzungen
}
audit-session-this-device = dieses Gerät
audit-session-other-device = ein anderes Gerät
audit-code-reused = Code erneut vorgelegt
audit-refresh-token-reused = Refresh-Token erneut vorgelegt
audit-notify-mode = Bereitstellung von Dokumenten: { $before } → { $after }
audit-new-address = neue Adresse { $email }
audit-forwarding = { $email } ({ $types })
audit-forwarding-by-recipient = { $email } ({ $types }) durch den Empfänger
audit-forwarding-all-types = alle Typen
audit-forwarding-refused = { $email }: { $reason }
audit-documents-exported = { $count ->
    [one] { $count } Dokument als ZIP
   *[other] { $count } Dokumente als ZIP
}
audit-document = Dokument { $id }
audit-document-purged = { $kind } { $number } (Dokument { $id })
audit-document-added-by-key = { $kind } { $number } API-Schlüssel { $key }

## Anmeldung (auth)

auth-loading = Wird geladen …
auth-cancel = Abbrechen
auth-to-sign-in = Zur Anmeldung

## Login und „Passwort vergessen“

auth-login-title = Login
auth-login-new-password-saved = Ihr neues Passwort ist gespeichert. Bitte melden Sie sich damit an.
auth-login-username = Benutzername
auth-login-password = Passwort
auth-login-submit = Login
auth-login-forgot-password = Passwort vergessen
auth-forgot-title = Passwort vergessen
auth-forgot-intro = Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort festlegen.
auth-forgot-identifier = Benutzername oder E-Mail-Adresse
auth-forgot-submit = Link anfordern
auth-forgot-sent = Falls zu Ihrer Angabe ein aktiver Benutzer gehört, haben wir soeben eine E-Mail mit einem Link geschickt. Der Link ist nur kurze Zeit gültig und kann einmal verwendet werden.
auth-forgot-no-mail = Keine E-Mail erhalten? Prüfen Sie den Spam-Ordner oder wenden Sie sich an unsere Hotline.

## Erste Anmeldung: eigenes Passwort, Datenschutzhinweise

auth-set-password-title = Passwort ändern
auth-set-password-expired = Ihr Passwort ist abgelaufen. Bitte vergeben Sie ein neues Passwort und bestätigen Sie es.
auth-set-password-intro = Bitte vergeben Sie ein persönliches Passwort und bestätigen Sie es. Danach gilt nur noch Ihr eigenes Passwort.
auth-set-password-submit = Passwort ändern
auth-privacy-title = Datenschutzhinweise akzeptieren
auth-privacy-intro = Bitte lesen und akzeptieren Sie unsere Datenschutzhinweise.
auth-privacy-link = › Datenschutzhinweise
auth-privacy-version = (Version { $version })
auth-privacy-read-here = Hier lesen
auth-privacy-accept = Datenschutzhinweise akzeptieren

## Seiten hinter gemailten Links (Einladung, neues Passwort)

auth-link-request-new = Neuen Link anfordern
auth-link-username = Ihr Benutzername:
auth-invitation-title = Passwort festlegen
auth-invitation-intro = Willkommen im Kundenportal. Bitte legen Sie Ihr persönliches Passwort fest.
auth-invitation-submit = Passwort festlegen
auth-reset-title = Neues Passwort
auth-reset-intro = Legen Sie ein neues Passwort fest. Danach sind Sie überall abgemeldet und melden sich mit dem neuen Passwort an.
auth-reset-submit = Passwort speichern

## Profil → Anmeldungen: Browser und Ort einer Sitzung

auth-session-unknown-browser = Unbekannter Browser
auth-session-browser-on-os = { $browser } auf { $os }
auth-session-place-unknown = unbekannt

## Anmeldung einer App (OAuth): Zustimmung und Fehlerseite

auth-consent-title = App-Zugriff erlauben
auth-consent-app-before = Die App „
auth-consent-app-after = “ möchte in Ihrem Namen auf Ihr Kundenkonto zugreifen: Ihre Dokumente ansehen und herunterladen, Ihr Profil lesen und Ihren Namen und Ihre Benachrichtigung ändern.
auth-consent-hint = Sie können diesen Zugriff jederzeit unter Profil → Anmeldungen beenden. Erlauben Sie ihn nur, wenn Sie die Anmeldung gerade selbst in der App begonnen haben.
auth-consent-allow = Erlauben
auth-consent-deny = Ablehnen
auth-app-request-invalid = Die Anfrage der App ist ungültig.
auth-app-request-invalid-restart = Die Anfrage der App ist ungültig. Bitte starten Sie die Anmeldung in der App noch einmal.
auth-app-unknown = Diese App ist dem Kundenportal nicht bekannt.
auth-app-missing = Der Anfrage fehlt die Angabe, welche App sich anmelden möchte.
auth-app-redirect-refused = Die Rücksprungadresse der App ist nicht zugelassen.
auth-app-error-title = App-Anmeldung nicht möglich
auth-app-error-retry = Bitte starten Sie die Anmeldung in der App noch einmal. Hilft das nicht, wenden Sie sich an den Support.
auth-app-error-home = Zum Kundenportal

## Fehler (AppError)

error-not-signed-in = Bitte melden Sie sich an.
error-invalid-credentials = Benutzername oder Passwort ist falsch.
error-forbidden = Dafür fehlt Ihnen die Berechtigung.
error-setup-pending = Bitte legen Sie zuerst Ihr eigenes Passwort fest und akzeptieren Sie die Datenschutzhinweise.
error-reauth-required = Bitte bestätigen Sie zur Sicherheit zuerst Ihr Passwort.
error-cross-site = Die Anfrage wurde abgelehnt, weil sie nicht von dieser Seite kam. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.
error-link-invalid = Dieser Link ist ungültig, abgelaufen oder wurde bereits verwendet. Über „Passwort vergessen“ können Sie einen neuen anfordern.
error-forwarding-link-invalid = Dieser Link ist ungültig, abgelaufen oder wurde bereits verwendet.
error-email-link-invalid = Dieser Link ist ungültig, abgelaufen oder wurde bereits verwendet. Sie können die Änderung im Profil erneut anfordern.
error-too-many-requests = Zu viele Versuche von Ihrer Verbindung. Bitte warten Sie { $seconds } Sekunden und versuchen Sie es dann noch einmal.
error-not-found = Die Seite oder der Eintrag wurde nicht gefunden.
error-busy = Der Server ist gerade ausgelastet. Bitte versuchen Sie es in einigen Sekunden noch einmal.
error-bad-request = Die Anfrage konnte nicht verarbeitet werden. Bitte laden Sie die Seite neu.
error-too-large = Die Anfrage ist zu groß. Bitte kürzen Sie Ihre Eingaben und versuchen Sie es noch einmal.
error-unreachable = Der Server ist nicht erreichbar. Bitte prüfen Sie Ihre Verbindung.
error-unavailable = Das Kundenportal ist gerade nicht erreichbar. Bitte versuchen Sie es in einer Minute noch einmal.
error-internal = Es ist ein unerwarteter Fehler aufgetreten. Bitte versuchen Sie es später noch einmal. Fehlernummer: { $id }

## Abgelehnte Eingaben (Refusal)

refusal-passwords-differ = Die beiden Passwörter stimmen nicht überein.
refusal-same-as-before = Bitte wählen Sie ein anderes Passwort als das bisherige.
refusal-current-wrong = Das aktuelle Passwort ist nicht korrekt.
refusal-new-equals-current = Das neue Passwort muss sich vom aktuellen unterscheiden.
refusal-privacy-changed = Die Datenschutzhinweise wurden inzwischen aktualisiert. Bitte laden Sie die Seite neu und lesen Sie die aktuelle Fassung.
refusal-identifier-missing = Bitte geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein.
refusal-password-missing = Bitte geben Sie ein Passwort ein.
refusal-too-many-wrong = Zu viele falsche Versuche. Bitte warten Sie einige Minuten und versuchen Sie es dann noch einmal.
refusal-password-rules = Das Passwort erfüllt nicht alle Regeln. Die Liste unter dem Feld zeigt, was noch fehlt.
# $rules: die nicht erfüllten Regeln (password-rule-…), mit Komma verbunden.
refusal-password-rules-unmet = Das Passwort erfüllt nicht alle Regeln: { $rules }.
refusal-email-missing = Bitte geben Sie eine E-Mail-Adresse ein.
refusal-email-invalid = Bitte geben Sie eine gültige E-Mail-Adresse ein.
refusal-emails-differ = Die beiden E-Mail-Adressen stimmen nicht überein.
refusal-forwarding-exists = Diese Weiterleitung gibt es bereits: dieselbe Adresse mit demselben Dokumententyp.
refusal-forwardings-full = Die Höchstzahl an Weiterleitungen ist erreicht. Bitte entfernen Sie zuerst eine Weiterleitung, die Sie nicht mehr brauchen.
refusal-document-type-unknown = Bitte wählen Sie einen Dokumententyp aus der Liste.
refusal-notify-mode-unknown = Bitte wählen Sie eine der drei Möglichkeiten.
refusal-salutation-unknown = Bitte wählen Sie eine Anrede aus der Liste.
refusal-name-too-long = Vor- und Nachname dürfen höchstens 100 Zeichen lang sein.
refusal-name-invalid = Der Name darf keine Zeilenumbrüche oder Steuerzeichen enthalten.
refusal-email-unchanged = Das ist bereits Ihre E-Mail-Adresse.
refusal-username-missing = Bitte geben Sie einen Benutzernamen ein.
refusal-username-length = Der Benutzername muss 3 bis 64 Zeichen lang sein.
refusal-username-characters = Der Benutzername darf nur Buchstaben (ohne Umlaute), Ziffern und . _ - @ enthalten.
refusal-username-taken = Dieser Benutzername ist bereits vergeben. Bitte wählen Sie einen anderen.
refusal-users-full = Die Höchstzahl an Benutzern ist erreicht. Bitte entfernen Sie zuerst einen Benutzer, der keinen Zugang mehr braucht.
refusal-not-yourself = Ihren eigenen Benutzer können Sie hier nicht deaktivieren, entfernen oder in seinen Rechten ändern.
refusal-already-set-up = Dieser Benutzer hat sein Passwort bereits festgelegt; eine Einladung ist nicht mehr nötig.
refusal-adds-used-up = Für heute sind keine weiteren Hinzufügungen möglich. Bitte versuchen Sie es morgen wieder oder wenden Sie sich an die Hotline.
refusal-inactive-not-invited = Dieser Benutzer ist deaktiviert. Bitte aktivieren Sie ihn zuerst.
refusal-date-invalid = Bitte geben Sie ein gültiges Datum ein (TT.MM.JJJJ).
refusal-code-wrong = Der Code ist nicht korrekt oder wurde schon verwendet. Bitte geben Sie den Code ein, den Ihre Authenticator-App gerade anzeigt.
refusal-code-missing = Bitte geben Sie den Code aus Ihrer Authenticator-App ein.
refusal-sign-in-expired = Die Anmeldung ist abgelaufen. Bitte melden Sie sich noch einmal mit Benutzername und Passwort an.
refusal-second-factor-required = Die Zwei-Faktor-Anmeldung ist für alle Benutzer Ihres Kundenkontos vorgeschrieben und kann nicht ausgeschaltet werden.
refusal-second-factor-own-first = Bitte richten Sie die Zwei-Faktor-Anmeldung zuerst für sich selbst ein (Profil), bevor Sie sie für alle Benutzer verlangen.
refusal-setup-restart = Die Einrichtung ist nicht mehr offen. Bitte beginnen Sie sie noch einmal.
refusal-second-factor-not-on = Die Zwei-Faktor-Anmeldung ist nicht eingeschaltet.
refusal-second-factor-already-on = Die Zwei-Faktor-Anmeldung ist bereits eingeschaltet.
refusal-passkey-unavailable = Passkeys sind in diesem Kundenportal nicht eingerichtet.
refusal-passkey-refused = Der Passkey wurde nicht angenommen. Bitte versuchen Sie es noch einmal oder melden Sie sich mit Benutzername und Passwort an.
refusal-passkey-expired = Die Anfrage ist abgelaufen. Bitte versuchen Sie es noch einmal.
refusal-passkey-name-invalid = Bitte geben Sie dem Passkey einen Namen mit 1 bis 60 Zeichen.
refusal-passkey-known = Dieser Passkey ist bereits hinzugefügt.
refusal-not-accepted = Die Eingabe wurde nicht angenommen. Bitte prüfen Sie Ihre Angaben und versuchen Sie es noch einmal.

## Passwortregeln und die Felder für ein neues Passwort

password-rule-length = { $min } bis { $max } Zeichen
password-rule-digit = mindestens eine Zahl
password-rule-letter = mindestens ein Buchstabe
password-rule-not-username = nicht der Benutzername
password-rule-not-customer-name = nicht der Kundenname
password-rule-not-common = kein häufig verwendetes Passwort
# Nur für Screenreader, vor der Regel (das Leerzeichen danach setzt der Code).
password-rule-met = erfüllt:
password-rule-unmet = nicht erfüllt:
password-new-label = Neues Passwort
password-confirm-label = Neues Passwort bestätigen

## Eingaben der Stammdaten (Anrede, Kundennummer, Dokumente)

domain-salutation-none = keine
domain-salutation-mr = Herr
domain-salutation-ms = Frau
domain-customer-number-length = Die Kundennummer muss 1 bis 32 Zeichen lang sein.
domain-customer-number-characters = Die Kundennummer darf nur Buchstaben, Ziffern, - und / enthalten.
domain-customer-name-length = Der Kundenname muss 1 bis 200 Zeichen lang sein.
domain-customer-name-characters = Der Kundenname enthält unzulässige Zeichen.
domain-document-number-length = Die Dokumentnummer muss 1 bis { $max } Zeichen lang sein.
domain-document-number-characters = Die Dokumentnummer darf nur Buchstaben, Ziffern, Leerzeichen und - _ . enthalten.
domain-document-type-key = Der Dokumenttyp muss 1 bis 32 Zeichen aus a–z, 0–9, - und _ sein.
domain-document-type-name = Der Name des Dokumenttyps muss 1 bis 60 Zeichen lang sein.

## Dokumente

documents-title = Dokumente
documents-loading = Wird geladen …

## Dokumente: Filter

documents-filter-toggle = Filter
documents-filter-label = Dokumente filtern
documents-filter-search = Suche
documents-filter-search-placeholder = Dokumentnummer
documents-filter-type = Typ
documents-filter-all-types = Alle Typen
documents-filter-from = Bereitstellung von
documents-filter-to = Bereitstellung bis
documents-filter-per-page = Pro Seite
documents-filter-show = Anzeigen
documents-filter-reset = Zurücksetzen

## Dokumente: Liste

documents-empty = Keine Dokumente gefunden.
documents-count = { $count ->
    [one] { $count } Dokument
   *[other] { $count } Dokumente
}
documents-download-all = Alle herunterladen (ZIP)
documents-table-caption = Ihre Dokumente
documents-table-actions = Aktionen
documents-column-number = Nummer
documents-column-created = Erstellung
documents-column-type = Typ
documents-column-provided = Bereitstellung
documents-column-visible-until = sichtbar bis
documents-badge-new = neu
documents-view = Ansehen
documents-view-label = { $document } ansehen (neues Fenster)
documents-download = Herunterladen
documents-download-label = { $document } herunterladen
documents-delivery = Versand
documents-delivery-label = Versand von { $document }
documents-pager-label = Seiten
documents-pager-previous = Zurück
documents-pager-next = Weiter
documents-pager-position = Seite { $page } von { $pages }

## Dokumente: ZIP-Export

documents-export-too-many = Eine ZIP-Datei enthält höchstens { $limit } Dokumente. Bitte schränken Sie die Auswahl mit Suche, Typ oder Zeitraum ein.
documents-export-too-large = Diese Auswahl ist für eine ZIP-Datei zu groß (über 4 GB). Bitte schränken Sie die Filter ein.
# Der Name der ZIP-Datei; $date wie 2026-01-31.
documents-export-file-name = Dokumente_{ $date }.zip
# Die Kopfzeile der index.csv (Semikolon als Trenner).
documents-export-index-header = Nummer;Typ;Erstellung;Bereitstellung;Datei;E-Rechnung (Profil);Rechnungsdatum;Fälligkeit;Zahlbetrag;Währung;XML-Datei

## E-Mails: what a caller puts into a mail ready-made (the rest of each
## mail's text is its template, templates/mail/de/)

# The name a mail greets a person by: $salutation as stored (herr, frau, keine).
mail-addressed-as = { $salutation ->
    [herr] Herr { $name }
    [frau] Frau { $name }
   *[other] { $name }
}

# Seiten: Weiterleitungen, Profil, Rahmen (Kopf, Navigation, Fuß, Hauptansicht),
# Rechtliches, gemeinsame Teile (ui).

## Gemeinsame Teile

ui-skip-link = Zum Inhalt springen
ui-loading = Wird geladen …

## Rahmen: Navigation, Kacheln, Kopf und Fuß

shell-documents = Dokumente
shell-documents-text = Rechnungen, Gutschriften und weitere Belege der letzten 13 Monate ansehen und herunterladen.
shell-forwardings = Weiterleitungen
shell-forwardings-text = Neue Dokumente automatisch an weitere E-Mail-Adressen senden.
shell-users = Benutzer
shell-users-text = Weitere Benutzer anlegen, aktivieren und deaktivieren.
shell-activity = Aktivitätsprotokoll
shell-activity-text = Wer hat sich wann angemeldet, was heruntergeladen und was geändert?
shell-profile = Profil
shell-profile-text = Name, Passwort, E-Mail-Adresse und Benachrichtigungen verwalten.
shell-sign-out = Abmelden
shell-user-menu = Benutzermenü
shell-legal = Rechtliches
# Fuß: vor dem Preishinweis der Hotline (der vom Betreiber kommt).
shell-required-fields = *Pflichtfelder · **
shell-main-menu = Hauptmenü
shell-home-title = Hauptansicht
shell-welcome = Willkommen, { $name }.
shell-new-documents = { $count ->
    [one] 1 neues Dokument
   *[other] { $count } neue Dokumente
}
shell-not-found-title = Seite nicht gefunden
shell-not-found-text = Diese Seite gibt es nicht.
shell-to-home = Zur Hauptansicht

## Rechtliches: Kontakt, Datenschutzhinweise, Impressum

legal-contact = Kontakt
legal-privacy = Datenschutzhinweise
legal-imprint = Impressum
legal-version = Version { $version }
# Nur auf Englisch zu sehen: der Betreiber hat für die Seite keinen englischen Text.
legal-shown-in-german = Diese Seite gibt es nicht auf Englisch; sie wird auf Deutsch angezeigt.

## Weiterleitungen

forwarding-title = Weiterleitungen
forwarding-status-pending = wartet auf Bestätigung
forwarding-status-expired = Bestätigung abgelaufen
forwarding-status-confirmed = aktiv
forwarding-all-types = alle Typen
forwarding-add-title = Weiterleitung hinzufügen
forwarding-add-intro = Neue Dokumente werden mit dem PDF oder der E-Rechnung (XML) im Anhang an die Adresse gesendet – zum Beispiel an Ihre Buchhaltung oder an ein Postfach für die Rechnungsverarbeitung. Die Weiterleitung beginnt, sobald der Empfänger sie über den Link in unserer E-Mail bestätigt hat.
forwarding-added = Die Weiterleitung ist gespeichert. Wir haben dem Empfänger eine E-Mail mit einem Bestätigungslink gesendet.
forwarding-email = E-Mail
forwarding-email-confirm = E-Mail bestätigen
forwarding-type = Dokumententyp
forwarding-types = Dokumententypen
forwarding-status = Status
forwarding-actions = Aktionen
forwarding-save = Speichern
forwarding-list-title = Ihre Weiterleitungen
forwarding-removed = Die Weiterleitung wurde entfernt.
# Vor der fett gesetzten Adresse.
forwarding-remove-question-start = Weiterleitung an
# Nach der fett gesetzten Adresse.
forwarding-remove-question-end = ({ $types }) wirklich entfernen? Danach werden keine Dokumente mehr an diese Adresse gesendet.
forwarding-cancel = Abbrechen
forwarding-remove = Entfernen
forwarding-remove-label = Weiterleitung an { $email } entfernen
forwarding-count = { $count } von höchstens { $max } Weiterleitungen
forwarding-empty = Es sind noch keine Weiterleitungen eingerichtet.
forwarding-customer = Kunde
forwarding-customer-value = { $name } (Kundennummer { $number })
forwarding-email-address = E-Mail-Adresse
forwarding-confirm-title = Weiterleitung bestätigen
forwarding-confirmed = Vielen Dank. Die Weiterleitung ist bestätigt: Neue Dokumente kommen ab jetzt an diese Adresse. Jede dieser E-Mails enthält einen Link, mit dem Sie die Weiterleitung wieder beenden.
forwarding-declined = Die Weiterleitung wurde abgelehnt. An diese Adresse wird nichts gesendet.
forwarding-confirm-intro = Dokumente aus dem Kundenportal sollen an Ihre E-Mail-Adresse weitergeleitet werden:
forwarding-decline = Ablehnen
forwarding-end-title = Weiterleitung beenden
forwarding-ended = Die Weiterleitung ist beendet. An diese Adresse werden keine Dokumente mehr gesendet; der Kunde wurde informiert.
forwarding-end-intro = Sie erhalten neue Dokumente aus dem Kundenportal über diese Weiterleitung:
# Die Antwort auf das Abbestellen mit einem Klick (RFC 8058), an das E-Mail-Programm.
forwarding-one-click-ended = Die Weiterleitung ist beendet.

## Versandprotokoll

forwarding-log-title = Versandprotokoll
forwarding-log-choose = Wählen Sie in der Dokumentenliste bei einem Dokument „Versand“.
forwarding-log-back = Zurück zu den Dokumenten
forwarding-log-empty = Für dieses Dokument wurden keine E-Mails versendet.
forwarding-log-caption = E-Mails zu { $document }
forwarding-log-recipient = Empfänger
forwarding-log-kind = Art
forwarding-log-status = Status
forwarding-log-time = Zeit
# „Rechnung RE-1 vom 31.01.2026“
forwarding-log-document = { $kind } { $number } vom { $date }
forwarding-kind-notification = Benachrichtigung
forwarding-kind-attachment = Benachrichtigung mit Anhang
forwarding-kind-forwarding = Weiterleitung
forwarding-kind-other = E-Mail
forwarding-mail-sent = versendet
forwarding-mail-failed = fehlgeschlagen
forwarding-mail-expired = abgelaufen
forwarding-mail-queued = in Warteschlange
forwarding-mail-retrying = wird erneut versucht
forwarding-failure-rejected = Der Mailserver des Empfängers hat die E-Mail abgelehnt. Bitte prüfen Sie die Adresse.
forwarding-failure-address = Die Empfängeradresse ist ungültig.
forwarding-failure-document = Das Dokument war beim Versand nicht mehr vorhanden.
forwarding-failure-attempts = Die E-Mail konnte auch nach mehreren Versuchen nicht zugestellt werden.

## Profil

profile-title = Profil
profile-personal = Persönliche Informationen
# Vor dem fett gesetzten @Benutzernamen.
profile-username = Benutzername:
profile-name = Name
profile-password = Passwort
profile-email = E-Mail
profile-second-factor = Zwei-Faktor-Anmeldung
profile-passkeys = Passkeys
profile-sign-ins = Anmeldungen
profile-notification = E-Mail-Benachrichtigung
profile-save = Speichern
profile-notification-saved = Ihre Auswahl ist gespeichert.
profile-notification-legend = Bereitstellung von Dokumenten
profile-notify-none = keine
profile-notify-none-hint = Sie erhalten keine E-Mail zu neuen Dokumenten.
profile-notify-notify = nur Benachrichtigung
profile-notify-notify-hint = Eine E-Mail nennt die neuen Dokumente und verlinkt die Dokumentenliste.
profile-notify-attachment = mit Anhang
profile-notify-attachment-hint = Eine E-Mail je Dokument mit dem PDF im Anhang.
profile-name-saved = Ihr Name ist gespeichert.
profile-salutation = Anrede
profile-first-name = Vorname
profile-last-name = Nachname
# Vor der fett gesetzten Adresse.
profile-current-email = Aktuelle Adresse:
profile-email-pending = Bestätigung ausstehend für { $email }: Die neue Adresse gilt, sobald der Link in der E-Mail an sie geöffnet wurde.
profile-email-sent = Wir haben einen Bestätigungslink an die neue Adresse gesendet. Er ist { $hours } Stunden gültig; bis dahin bleibt Ihre bisherige Adresse.
profile-new-email = Neue E-Mail-Adresse
profile-email-password = Passwort zur Bestätigung
profile-change-email = E-Mail-Adresse ändern
profile-email-confirm-title = E-Mail-Adresse bestätigen
profile-email-confirmed = Ihre neue E-Mail-Adresse ist bestätigt. Auf anderen Geräten wurden Sie abgemeldet; an die bisherige Adresse ging ein Hinweis.
profile-to-portal = Zum Kundenportal
# Vor dem fett gesetzten Benutzernamen.
profile-email-confirm-user = Benutzer
# Nach dem fett gesetzten Benutzernamen.
profile-email-confirm-new = – neue E-Mail-Adresse:
profile-to-login = Zur Anmeldung

## Zwei-Faktor-Anmeldung: Codefeld

sf-code-label = Code
sf-code-hint-recovery = Sechs Ziffern aus der App, oder einer Ihrer Wiederherstellungscodes (xxxx-xxxx-xxxx-xxxx).
sf-code-hint-app = Die sechs Ziffern, die Ihre Authenticator-App gerade anzeigt.
sf-password-label = Passwort
sf-sign-out = Abmelden

## Zwei-Faktor-Anmeldung: zweiter Schritt der Anmeldung

sf-second-step-title = Anmeldung bestätigen
sf-second-step-intro = Ihr Benutzer ist mit der Zwei-Faktor-Anmeldung geschützt. Bitte geben Sie den Code aus Ihrer Authenticator-App ein.
sf-second-step-submit = Anmelden
sf-second-step-cancel = Abbrechen
sf-second-step-lost = App und Wiederherstellungscodes verloren? Rufen Sie uns an; wir setzen die Zwei-Faktor-Anmeldung nach Prüfung zurück.
sf-second-step-expired = Die Anmeldung ist abgelaufen oder wurde beendet. Bitte melden Sie sich noch einmal an.
sf-second-step-to-login = Zur Anmeldung

## Zwei-Faktor-Anmeldung: Einrichten und Profil

sf-setup-title = Zwei-Faktor-Anmeldung einrichten
sf-setup-required-intro = Für Ihr Kundenkonto ist die Zwei-Faktor-Anmeldung vorgeschrieben. Bitte richten Sie sie jetzt ein; danach geht es weiter.
sf-setup-sign-in-too-old = Ihre Anmeldung liegt über eine Stunde zurück. Bitte melden Sie sich ab und wieder an; danach richten Sie die Zwei-Faktor-Anmeldung ein.
sf-turned-off-notice = Die Zwei-Faktor-Anmeldung ist ausgeschaltet. Für die Anmeldung genügt wieder das Passwort.
sf-off-intro = Mit der Zwei-Faktor-Anmeldung fragt das Kundenportal nach dem Passwort auch nach einem Code aus einer Authenticator-App auf Ihrem Telefon (zum Beispiel Google Authenticator, Microsoft Authenticator oder FreeOTP). Wer nur Ihr Passwort kennt, kommt dann nicht hinein.
sf-begin-submit = Zwei-Faktor-Anmeldung einrichten
sf-setup-scan = Scannen Sie diesen QR-Code mit Ihrer Authenticator-App:
sf-setup-qr-label = QR-Code zum Einrichten der Authenticator-App
sf-setup-manual = Oder geben Sie den Schlüssel von Hand ein (Zeitbasiert, 6 Ziffern, 30 Sekunden):
sf-setup-open-app = Auf diesem Gerät in der Authenticator-App öffnen
sf-setup-enter-code = Geben Sie den Code ein, den die App jetzt anzeigt:
sf-setup-code-label = Code aus der App
sf-setup-activate = Aktivieren
sf-on-badge = eingeschaltet
sf-on-since = seit { $since }. Bei jeder Anmeldung fragt das Portal nach dem Code aus Ihrer Authenticator-App.
sf-recovery-left = { $count ->
    [0] Sie haben keine Wiederherstellungscodes mehr. Bitte erzeugen Sie neue.
    [1] Sie haben noch einen Wiederherstellungscode.
   *[other] Sie haben noch { $count } Wiederherstellungscodes.
}
sf-renew-hint = Neue Codes ersetzen alle bisherigen.
sf-renew-submit = Neue Wiederherstellungscodes erzeugen
sf-required-no-off = Für Ihr Kundenkonto ist die Zwei-Faktor-Anmeldung vorgeschrieben; sie lässt sich nicht ausschalten.
sf-off-title = Ausschalten
sf-off-submit = Zwei-Faktor-Anmeldung ausschalten

## Zwei-Faktor-Anmeldung: Wiederherstellungscodes

sf-recovery-title = Wiederherstellungscodes
sf-recovery-none = Wiederherstellungscodes werden nur einmal angezeigt, direkt nachdem sie erzeugt wurden. Neue Codes erzeugen Sie im Profil.
sf-recovery-to-profile = Zum Profil
sf-recovery-ready = Die Zwei-Faktor-Anmeldung ist eingerichtet. Hier sind Ihre Wiederherstellungscodes.
sf-recovery-explain = Mit jedem dieser Codes können Sie sich einmal anmelden, wenn Ihre Authenticator-App nicht zur Hand ist. Speichern oder drucken Sie sie jetzt und bewahren Sie sie getrennt von Ihrem Passwort auf: Sie werden nur dieses eine Mal angezeigt.
sf-recovery-download = Als Textdatei herunterladen
sf-recovery-done = Ich habe die Codes gespeichert
# Dateiname der Textdatei (nur ASCII, ohne Leerzeichen).
sf-recovery-file-name = kundenportal-wiederherstellungscodes.txt
sf-recovery-file-heading = Wiederherstellungscodes für das Kundenportal von { $operator }
sf-recovery-file-user = Benutzer: { $username }
sf-recovery-file-once = Jeder Code gilt einmal, wenn Ihre Authenticator-App nicht zur Hand ist.
sf-recovery-file-keep = Bewahren Sie diese Datei sicher auf, getrennt von Ihrem Passwort.

## Profil: Passwort, Anmeldungen, Passwort bestätigen

sf-password-changed = Ihr Passwort wurde geändert. Auf anderen Geräten sind Sie jetzt abgemeldet.
sf-current-password-label = Aktuelles Passwort
sf-change-password-submit = Passwort ändern
sf-sign-in-ended = Die Anmeldung wurde beendet.
sf-loading = Wird geladen …
sf-sign-in-end-label = Anmeldung mit { $browser } abmelden
sf-this-device = dieses Gerät
sf-sign-in-details = Netz { $place } · angemeldet { $since } · zuletzt aktiv { $active }
sf-elsewhere-ended = { $count ->
    [0] Sie waren auf keinem anderen Gerät angemeldet.
    [1] Eine Anmeldung auf einem anderen Gerät wurde beendet.
   *[other] { $count } Anmeldungen auf anderen Geräten wurden beendet.
}
sf-elsewhere-intro = Beendet Ihre Anmeldung auf allen anderen Geräten und Browsern. Hier bleiben Sie angemeldet.
sf-elsewhere-submit = Auf allen anderen Geräten abmelden
sf-reauth-title = Passwort bestätigen
sf-reauth-intro-with-code = Ihre Anmeldung liegt über eine Stunde zurück. Bitte bestätigen Sie zur Sicherheit Ihr Passwort und einen Code aus Ihrer Authenticator-App, bevor Sie Änderungen vornehmen.
sf-reauth-intro = Ihre Anmeldung liegt über eine Stunde zurück. Bitte bestätigen Sie zur Sicherheit Ihr Passwort, bevor Sie Änderungen vornehmen.
sf-reauth-code-label = Code aus der Authenticator-App
sf-reauth-submit = Bestätigen

## Passkeys

passkey-sign-in-intro = Oder ohne Passwort, mit dem Passkey auf diesem Gerät oder Ihrem Telefon:
passkey-sign-in-submit = Mit Passkey anmelden
passkey-added-notice = Der Passkey ist hinzugefügt. Sie können sich jetzt damit anmelden.
passkey-removed-notice = Der Passkey ist entfernt.
passkey-unavailable = Passkeys sind in diesem Kundenportal nicht eingerichtet.
passkey-intro = Mit einem Passkey melden Sie sich ohne Passwort und Code an: Ihr Gerät prüft Fingerabdruck, Gesicht oder PIN. Er gilt als beide Faktoren.
passkey-none = Sie haben noch keinen Passkey.
passkey-remove-label = Passkey { $name } entfernen
passkey-never-used = noch nicht verwendet
passkey-last-used = zuletzt verwendet { $at }
passkey-added-used = hinzugefügt { $added } · { $used }
passkey-remove = Entfernen
passkey-add-needs-js = Einen Passkey hinzuzufügen braucht JavaScript.
passkey-name-label = Name des Passkeys
passkey-name-hint = Damit Sie ihn später erkennen, z. B. „Laptop“ oder „Telefon“.
passkey-add-submit = Passkey hinzufügen
# Im Browser, wenn der Dialog des Geräts scheitert; $error ist der Name des Fehlers im Browser.
passkey-add-cancelled = Das Hinzufügen des Passkeys wurde abgebrochen oder hat zu lange gedauert. Bitte versuchen Sie es noch einmal.
passkey-sign-in-cancelled = Die Anmeldung mit Passkey wurde abgebrochen oder hat zu lange gedauert. Bitte versuchen Sie es noch einmal.
passkey-already-here = Dieser Passkey ist auf diesem Gerät bereits hinzugefügt.
passkey-add-failed = Das Hinzufügen des Passkeys hat nicht geklappt ({ $error }). Bitte versuchen Sie es noch einmal.
passkey-sign-in-failed = Die Anmeldung mit Passkey hat nicht geklappt ({ $error }). Bitte versuchen Sie es noch einmal.

## /api/docs (die Seite der API für Entwickler)

api-docs-heading = API des Kundenportals
api-docs-introduction = Für Entwickler der App: Die Anmeldung läuft über den Browser (OAuth 2.0 mit PKCE, Client <code>kundenportal-app</code>); danach trägt jede Anfrage <code>Authorization: Bearer</code> mit dem Zugriffstoken. Ein Beispiel liegt im Repository unter <code>examples/app-sign-in</code>. Maschinenlesbar: <a href="{ $openapi }">openapi.json</a> (OpenAPI { $version }).
api-docs-areas = Bereiche der API
api-docs-auth = Anmeldung:
api-docs-auth-app = Zugriffstoken der App (<code>Authorization: Bearer</code>)
api-docs-auth-api-key = API-Schlüssel des Betreibers (<code>Authorization: Bearer</code>)
api-docs-auth-none = keine
api-docs-parameters = Parameter
api-docs-required = Pflicht
api-docs-optional = optional
api-docs-request-body = Inhalt der Anfrage:
api-docs-responses = Antworten
api-docs-title = API

## Benutzer

users-title = Benutzer
users-loading = Wird geladen …
users-outcome-added = Der Benutzer ist angelegt. Er erhält eine E-Mail mit einem Link, über den er sein Passwort festlegt.
users-outcome-invited = Die Einladung wurde erneut gesendet. Der bisherige Link gilt nicht mehr.
users-outcome-saved = Die Rechte sind gespeichert.
users-outcome-removed = Der Benutzer wurde entfernt.
users-outcome-deactivated = Der Benutzer ist deaktiviert. Seine Anmeldungen wurden beendet.
users-outcome-activated = Der Benutzer ist wieder aktiv und kann sich anmelden.
users-outcome-second-factor-required = Die Zwei-Faktor-Anmeldung ist jetzt für alle Benutzer vorgeschrieben. Wer sie noch nicht hat, richtet sie vor allem anderen ein.
users-outcome-second-factor-optional = Die Zwei-Faktor-Anmeldung ist nicht mehr vorgeschrieben. Wer sie eingerichtet hat, behält sie.
users-add-title = Benutzer hinzufügen
users-add-intro = Der neue Benutzer erhält eine E-Mail mit einem Link, über den er sein Passwort festlegt (72 Stunden gültig).
users-username = Benutzername
users-username-hint = 3 bis 64 Zeichen: Buchstaben ohne Umlaute, Ziffern und . _ - @
users-email = E-Mail
users-add-submit = Benutzer hinzufügen
users-list-title = Ihre Benutzer
users-deactivate-question-before = Benutzer{" "}
users-deactivate-question-after = {" "}wirklich deaktivieren?{" "}
users-deactivate-explanation = Seine Anmeldungen enden sofort, offene Links gelten nicht mehr und er erhält keine Benachrichtigungen.
users-remove-question-before = Benutzer{" "}
users-remove-question-after = {" "}wirklich entfernen?{" "}
users-remove-explanation = Er kann sich danach nicht mehr anmelden; das Aktivitätsprotokoll behält seinen Namen.
users-cancel = Abbrechen
users-deactivate = Deaktivieren
users-remove = Entfernen
users-count = { $count } von höchstens { $max } Benutzern
users-table-caption = Benutzer Ihres Zugangs
users-column-active = Aktiv
users-column-status = Status
users-column-last-sign-in = Letzte Anmeldung
users-column-actions = Aktionen
users-rights = Rechte
users-right-manage-users = Benutzer verwalten
users-right-manage-forwardings = Weiterleitungen verwalten
users-rights-main = Hauptbenutzer (alle Rechte)
users-rights-documents = Dokumente
users-second-factor-title = Zwei-Faktor-Anmeldung
users-second-factor-intro = Verlangen Sie von allen Benutzern Ihres Kundenkontos bei der Anmeldung einen Code aus einer Authenticator-App. Wer sie noch nicht eingerichtet hat, richtet sie bei der nächsten Anmeldung ein, bevor er etwas anderes tun kann.
users-second-factor-set-up-first = Richten Sie die Zwei-Faktor-Anmeldung dazu zuerst für sich selbst ein (Profil → Zwei-Faktor-Anmeldung).
users-second-factor-require = Zwei-Faktor-Anmeldung für alle Benutzer verlangen
users-save = Speichern
users-activate-label = { $username } aktivieren
users-active-label = { $username } aktiv
users-active-deactivate-label = { $username } aktiv – deaktivieren
users-you = Sie
users-second-factor-yes = Zwei-Faktor: ja
users-second-factor-no = Zwei-Faktor: nein
users-never = noch nie
users-edit-user = Benutzer { $username } bearbeiten
users-edit = Bearbeiten
users-save-rights = Rechte speichern
users-no-password-yet = Noch kein Passwort festgelegt. Eine neue Einladung ersetzt den bisherigen Link.
users-resend-invitation = Einladung erneut senden
users-close = Schließen
users-status-invited = eingeladen
users-status-invitation-expired = Einladung abgelaufen
users-status-active = aktiv
users-status-deactivated = deaktiviert

## Aktivitätsprotokoll

# Der Name der CSV-Datei des Aktivitätsprotokolls.
activity-export-file = aktivitaet-{ $number }.csv
activity-title = Aktivitätsprotokoll
activity-loading = Wird geladen …
activity-filter-label = Aktivitäten filtern
activity-all-users = Alle Benutzer
activity-from = Von
activity-to = Bis
activity-show = Anzeigen
activity-reset = Zurücksetzen
activity-entries = { $count ->
    [one] { $count } Eintrag
   *[other] { $count } Einträge
}
activity-download-csv = Als CSV herunterladen
activity-empty = Für diesen Filter gibt es keine Einträge.
activity-table-caption = Aktivitäten, neueste zuerst
activity-column-time = Zeit
activity-column-user = Benutzer
activity-column-action = Aktion
activity-column-details = Details
activity-column-address = Adresse
activity-pages = Seiten
activity-previous = Zurück
activity-next = Weiter
activity-page-of = Seite { $page } von { $pages }
activity-who-operator = Betreiber
activity-who-system = System

## Aktivitätsprotokoll: was geschah (die Schlüssel des Protokolls)

activity-action-login = Anmeldung
activity-action-login-failed = Fehlgeschlagene Anmeldung
activity-action-login-locked = Anmeldung gesperrt (zu viele Fehlversuche)
activity-action-login-refused-locked = Anmeldung während der Sperre abgewiesen
activity-action-logout = Abmeldung
activity-action-signed-out-elsewhere = Auf allen anderen Geräten abgemeldet
activity-action-session-ended = Anmeldung beendet
activity-action-app-allowed = App-Zugriff erlaubt
activity-action-app-refused = App-Zugriff abgelehnt
activity-action-app-signed-in = Anmeldung in der App
activity-action-app-signed-out = Abmeldung in der App
activity-action-app-sign-in-ended-reuse = App-Anmeldung beendet (Token erneut vorgelegt)
activity-action-login-password-accepted = Passwort bei der Anmeldung richtig, Code angefordert
activity-action-second-factor-failed = Falscher Code bei der Anmeldung
activity-action-second-factor-refused-locked = Code während der Sperre abgewiesen
activity-action-login-with-recovery-code = Anmeldung mit Wiederherstellungscode
activity-action-second-factor-on = Zwei-Faktor-Anmeldung eingeschaltet
activity-action-login-with-passkey = Anmeldung mit Passkey
activity-action-passkey-added = Passkey hinzugefügt
activity-action-passkey-removed = Passkey entfernt
activity-action-second-factor-off = Zwei-Faktor-Anmeldung ausgeschaltet
activity-action-second-factor-reset-by-operator = Zwei-Faktor-Anmeldung vom Betreiber zurückgesetzt
activity-action-recovery-codes-renewed = Neue Wiederherstellungscodes erzeugt
activity-action-second-factor-required = Zwei-Faktor-Anmeldung für alle Benutzer verlangt
activity-action-second-factor-not-required = Zwei-Faktor-Anmeldung nicht mehr verlangt
activity-action-password-confirmed = Passwort bestätigt
activity-action-current-password-wrong = Falsches Passwort bei einer Änderung
activity-action-current-password-refused-locked = Passwort bei einer Änderung während der Sperre abgewiesen
activity-action-password-changed = Passwort geändert
activity-action-password-reset-requested = Passwort-Link angefordert
activity-action-password-reset = Passwort über Link neu gesetzt
activity-action-password-set-at-first-sign-in = Eigenes Passwort festgelegt
activity-action-password-renewed-after-expiry = Abgelaufenes Passwort erneuert
activity-action-invitation-accepted = Einladung angenommen
activity-action-privacy-accepted = Datenschutzhinweise akzeptiert
activity-action-document-viewed = Dokument angesehen
activity-action-document-downloaded = Dokument heruntergeladen
activity-action-documents-exported = Dokumente exportiert (ZIP)
activity-action-document-added = Dokument bereitgestellt
activity-action-document-purged = Dokument gelöscht (Aufbewahrung abgelaufen)
activity-action-notification-changed = Benachrichtigung geändert
activity-action-name-changed = Name geändert
activity-action-email-change-requested = Änderung der E-Mail-Adresse angefordert
activity-action-email-changed = E-Mail-Adresse geändert
activity-action-forwarding-added = Weiterleitung hinzugefügt
activity-action-forwarding-add-refused = Weiterleitung hinzufügen abgelehnt
activity-action-forwarding-removed = Weiterleitung entfernt
activity-action-forwarding-confirmed = Weiterleitung vom Empfänger bestätigt
activity-action-forwarding-declined = Weiterleitung vom Empfänger abgelehnt
activity-action-forwarding-unsubscribed = Weiterleitung vom Empfänger beendet
activity-action-user-created = Benutzer angelegt
activity-action-user-add-refused = Benutzer hinzufügen abgelehnt
activity-action-user-invited-again = Einladung erneut gesendet
activity-action-user-deactivated = Benutzer deaktiviert
activity-action-user-activated = Benutzer aktiviert
activity-action-user-rights-changed = Rechte geändert
activity-action-user-removed = Benutzer entfernt
activity-action-customer-created = Kundenzugang eingerichtet
activity-action-activity-exported = Aktivitätsprotokoll exportiert
activity-action-passwords-expire-on = Passwortablauf festgelegt


## E-invoices (ZUGFeRD / Factur-X, XRechnung)
einvoice-note-recognised = E-Rechnung { $profile }
einvoice-note-date-differs = Rechnungsdatum { $invoice } weicht vom Erstellungsdatum { $created } ab
einvoice-note-unreadable = eingebettete E-Rechnung nicht lesbar, als PDF bereitgestellt: { $reason }

## E-invoices: what a forwarding sends, the XML with "mit Anhang"
forwarding-sends = Anhang
forwarding-sends-file = PDF
forwarding-sends-xml = nur die E-Rechnung (XML)
forwarding-sends-both = PDF und E-Rechnung (XML)
forwarding-sends-hint = Dokumente ohne E-Rechnung werden immer als PDF gesendet.
refusal-forwarding-sends-unknown = Bitte wählen Sie, was angehängt werden soll: PDF, E-Rechnung (XML) oder beides.
profile-notify-with-xml = E-Rechnung (XML) mitsenden
profile-notify-with-xml-hint = Gilt für „mit Anhang“: Ist ein Dokument eine E-Rechnung, hängt die E-Mail neben dem PDF auch die XML-Datei an.

## E-Rechnungen: Dokumentenliste und lesbare Seite
documents-filter-einvoices = Nur E-Rechnungen
documents-einvoice-badge = E-Rechnung
documents-einvoice-profile = Profil { $profile }
# $date wie 31.01.2027
documents-einvoice-due = fällig { $date }
documents-xml = XML
documents-xml-label = XML von { $document } herunterladen
documents-read = Lesen
documents-read-label = { $document } als E-Rechnung lesen
documents-view-page-label = { $document } ansehen
einvoice-page-title = E-Rechnung
einvoice-page-back = Zurück zu den Dokumenten
einvoice-page-seller = Rechnungssteller
einvoice-page-buyer = Rechnungsempfänger
einvoice-page-not-named = Nicht angegeben
einvoice-page-vat-id = USt-IdNr. { $id }
einvoice-page-details = Rechnungsangaben
einvoice-page-number = Rechnungsnummer
einvoice-page-issue-date = Rechnungsdatum
einvoice-page-due-date = Fällig am
einvoice-page-buyer-reference = Leitweg-ID / Käuferreferenz
einvoice-page-iban = IBAN
einvoice-page-lines = Positionen
einvoice-page-no-lines = Die E-Rechnung enthält keine Positionen.
einvoice-page-more-lines = { $count ->
    [one] 1 weitere Position wird hier nicht angezeigt; sie steht in der XML-Datei.
   *[other] { $count } weitere Positionen werden hier nicht angezeigt; sie stehen in der XML-Datei.
}
einvoice-page-position = Pos.
einvoice-page-item = Bezeichnung
einvoice-page-quantity = Menge
einvoice-page-net-price = Einzelpreis netto
einvoice-page-tax-rate = USt.
einvoice-page-line-total = Betrag netto
# $rate wie 19 oder 7,5
einvoice-page-rate = { $rate }{ "\u00A0" }%
einvoice-page-totals = Summen
einvoice-page-net = Summe netto
einvoice-page-tax = Umsatzsteuer
einvoice-page-gross = Gesamtbetrag
einvoice-page-due = Zu zahlen
einvoice-page-xml = XML herunterladen
einvoice-page-pdf = PDF ansehen
einvoice-page-pdf-label = PDF ansehen (neues Fenster)
# Menge mit Einheit; $quantity wie 1,5; $plural ist "one" bei genau 1, sonst "other".
einvoice-unit-piece = { $plural ->
   *[other] { $quantity } Stück
}
einvoice-unit-hour = { $plural ->
    [one] { $quantity } Stunde
   *[other] { $quantity } Stunden
}
einvoice-unit-minute = { $plural ->
    [one] { $quantity } Minute
   *[other] { $quantity } Minuten
}
einvoice-unit-day = { $plural ->
    [one] { $quantity } Tag
   *[other] { $quantity } Tage
}
einvoice-unit-week = { $plural ->
    [one] { $quantity } Woche
   *[other] { $quantity } Wochen
}
einvoice-unit-month = { $plural ->
    [one] { $quantity } Monat
   *[other] { $quantity } Monate
}
einvoice-unit-year = { $plural ->
    [one] { $quantity } Jahr
   *[other] { $quantity } Jahre
}
audit-notify-xml-on = E-Rechnung (XML) mitsenden: an
audit-notify-xml-off = E-Rechnung (XML) mitsenden: aus
