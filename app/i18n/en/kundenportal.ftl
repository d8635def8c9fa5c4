# Kundenportal — English. Every id of the German file, with the same arguments
# (a Rust test compares both files).

## Language

language-name-de = Deutsch
language-name-en = English
language-switch-label = Language

## The portal

portal-name = Customer portal
# A form that got no answer (in the browser).
form-calls-unreachable = The server cannot be reached. Please check your connection.

## Profile → Language

profile-language-section = Language
profile-language-legend = Language of the customer portal
profile-language-hint = The customer portal shows its pages after sign-in and writes you emails in this language.
profile-language-save = Save
profile-language-saved = Your language has been saved.
profile-language-loading = Loading …

## Activity log: the details of the entries
audit-user = User { $username }
audit-user-created = User { $username } ({ $rights })
audit-user-rights = User { $username }: { $rights }
audit-right-manage-users = Manage users
audit-right-manage-forwardings = Manage forwarding
audit-rights-none = no permissions
audit-user-add-refused = User { $username }: { $reason }
audit-invitation-refused = Invitation to user { $id }: { $reason }
audit-reason-adds-used-up = daily allowance used up
audit-reason-username-taken = name already taken
audit-reason-limit-reached = maximum reached
audit-reason-forwarding-exists = already exists
audit-customer-created = Customer { $number } with main user { $username }
audit-privacy-accepted = Version { $version }
audit-privacy-published = version { $version }
audit-password-for-confirmation = Confirm password
audit-password-for-password-change = Change password
audit-password-for-email-change = Change email address
audit-password-for-second-factor-off = Turn off two-factor sign-in
audit-passwords-expire = { $count ->
    [one] { $date } ({ $count } user)
   *[other] { $date } ({ $count } users)
}
audit-sessions-ended = { $count ->
    [one] { $count } session
   *[other] { $count } sessions
}
audit-session-this-device = this device
audit-session-other-device = another device
audit-code-reused = Code presented again
audit-refresh-token-reused = Refresh token presented again
audit-notify-mode = Notification of new documents: { $before } → { $after }
audit-new-address = new address { $email }
audit-forwarding = { $email } ({ $types })
audit-forwarding-by-recipient = { $email } ({ $types }) by the recipient
audit-forwarding-all-types = all types
audit-forwarding-refused = { $email }: { $reason }
audit-documents-exported = { $count ->
    [one] { $count } document as ZIP
   *[other] { $count } documents as ZIP
}
audit-document = Document { $id }
audit-document-purged = { $kind } { $number } (document { $id })
audit-document-added-by-key = { $kind } { $number } API key { $key }

## Sign-in (auth)

auth-loading = Loading …
auth-cancel = Cancel
auth-to-sign-in = Back to sign-in

## Sign-in and "Forgotten password"

auth-login-title = Sign in
auth-login-new-password-saved = Your new password has been saved. Please sign in with it.
auth-login-username = Username
auth-login-password = Password
auth-login-submit = Sign in
auth-login-forgot-password = Forgotten password
auth-forgot-title = Forgotten password
auth-forgot-intro = Enter your username or email address. We will send you a link to set a new password.
auth-forgot-identifier = Username or email address
auth-forgot-submit = Request link
auth-forgot-sent = If an active user matches your entry, we have just sent an email with a link. The link is only valid for a short time and can be used once.
auth-forgot-no-mail = No email received? Please check your spam folder or contact our hotline.

## First sign-in: own password, privacy notice

auth-set-password-title = Change password
auth-set-password-expired = Your password has expired. Please choose a new password and confirm it.
auth-set-password-intro = Please choose a personal password and confirm it. From then on, only your own password is valid.
auth-set-password-submit = Change password
auth-privacy-title = Accept privacy notice
auth-privacy-intro = Please read and accept our privacy notice.
auth-privacy-link = › Privacy notice
auth-privacy-version = (version { $version })
auth-privacy-read-here = Read here
auth-privacy-accept = Accept privacy notice

## Pages behind mailed links (invitation, new password)

auth-link-request-new = Request a new link
auth-link-username = Your username:
auth-invitation-title = Set password
auth-invitation-intro = Welcome to the customer portal. Please set your personal password.
auth-invitation-submit = Set password
auth-reset-title = New password
auth-reset-intro = Set a new password. You will then be signed out everywhere and sign in with the new password.
auth-reset-submit = Save password

## Profile → Sign-ins: browser and place of a session

auth-session-unknown-browser = Unknown browser
auth-session-browser-on-os = { $browser } on { $os }
auth-session-place-unknown = unknown

## An app's sign-in (OAuth): consent and error page

auth-consent-title = Allow app access
auth-consent-app-before = The app “
auth-consent-app-after = ” would like to access your customer account on your behalf: view and download your documents, read your profile, and change your name and your notification settings.
auth-consent-hint = You can end this access at any time under Profile → Sign-ins. Only allow it if you have just started the sign-in in the app yourself.
auth-consent-allow = Allow
auth-consent-deny = Decline
auth-app-request-invalid = The app's request is invalid.
auth-app-request-invalid-restart = The app's request is invalid. Please start the sign-in in the app again.
auth-app-unknown = This app is not known to the customer portal.
auth-app-missing = The request does not say which app wants to sign in.
auth-app-redirect-refused = The app's return address is not permitted.
auth-app-error-title = App sign-in not possible
auth-app-error-retry = Please start the sign-in in the app again. If that does not help, please contact support.
auth-app-error-home = To the customer portal

## Errors (AppError)

error-not-signed-in = Please sign in.
error-invalid-credentials = The username or password is incorrect.
error-forbidden = You do not have permission to do this.
error-setup-pending = Please first set your own password and accept the privacy notice.
error-reauth-required = For your security, please confirm your password first.
error-cross-site = The request was refused because it did not come from this page. Please reload the page and try again.
error-link-invalid = This link is invalid, has expired or has already been used. You can request a new one via “Forgotten password”.
error-forwarding-link-invalid = This link is invalid, has expired or has already been used.
error-email-link-invalid = This link is invalid, has expired or has already been used. You can request the change again in your profile.
error-too-many-requests = Too many attempts from your connection. Please wait { $seconds ->
        [one] one second
       *[other] { $seconds } seconds
    } and then try again.
error-not-found = The page or entry was not found.
error-busy = The server is busy at the moment. Please try again in a few seconds.
error-bad-request = The request could not be processed. Please reload the page.
error-too-large = The request is too large. Please shorten your entries and try again.
error-unreachable = The server cannot be reached. Please check your connection.
error-unavailable = The customer portal is currently unavailable. Please try again in a minute.
error-internal = An unexpected error has occurred. Please try again later. Error reference: { $id }

## Refused input (Refusal)

refusal-passwords-differ = The two passwords do not match.
refusal-same-as-before = Please choose a password different from your previous one.
refusal-current-wrong = The current password is incorrect.
refusal-new-equals-current = The new password must be different from the current one.
refusal-privacy-changed = The privacy notice has been updated in the meantime. Please reload the page and read the current version.
refusal-identifier-missing = Please enter your username or email address.
refusal-password-missing = Please enter a password.
refusal-too-many-wrong = Too many failed attempts. Please wait a few minutes and then try again.
refusal-password-rules = The password does not meet all the rules. The list below the field shows what is still missing.
# $rules: the rules not met (password-rule-…), joined by commas.
refusal-password-rules-unmet = The password does not meet all the rules: { $rules }.
refusal-email-missing = Please enter an email address.
refusal-email-invalid = Please enter a valid email address.
refusal-emails-differ = The two email addresses do not match.
refusal-forwarding-exists = This forwarding already exists: the same address with the same document type.
refusal-forwardings-full = The maximum number of forwardings has been reached. Please first remove a forwarding you no longer need.
refusal-document-type-unknown = Please choose a document type from the list.
refusal-notify-mode-unknown = Please choose one of the three options.
refusal-salutation-unknown = Please choose a salutation from the list.
refusal-name-too-long = First and last name may be at most 100 characters long.
refusal-name-invalid = The name must not contain line breaks or control characters.
refusal-email-unchanged = This is already your email address.
refusal-username-missing = Please enter a username.
refusal-username-length = The username must be 3 to 64 characters long.
refusal-username-characters = The username may only contain letters (without accents or umlauts), digits and . _ - @.
refusal-username-taken = This username is already taken. Please choose another one.
refusal-users-full = The maximum number of users has been reached. Please first remove a user who no longer needs access.
refusal-not-yourself = You cannot deactivate or remove your own user here, or change its permissions.
refusal-already-set-up = This user has already set their password; an invitation is no longer needed.
refusal-adds-used-up = Nothing more can be added today. Please try again tomorrow or contact the hotline.
refusal-inactive-not-invited = This user is deactivated. Please activate them first.
refusal-date-invalid = Please enter a valid date (DD/MM/YYYY).
refusal-code-wrong = The code is incorrect or has already been used. Please enter the code your authenticator app is showing now.
refusal-code-missing = Please enter the code from your authenticator app.
refusal-sign-in-expired = The sign-in has expired. Please sign in again with your username and password.
refusal-second-factor-required = Two-factor sign-in is required for all users of your customer account and cannot be turned off.
refusal-second-factor-own-first = Please set up two-factor sign-in for yourself first (Profile) before requiring it for all users.
refusal-setup-restart = The set-up is no longer open. Please start it again.
refusal-second-factor-not-on = Two-factor sign-in is not turned on.
refusal-second-factor-already-on = Two-factor sign-in is already turned on.
refusal-passkey-unavailable = Passkeys are not set up in this customer portal.
refusal-passkey-refused = The passkey was not accepted. Please try again or sign in with your username and password.
refusal-passkey-expired = The request has expired. Please try again.
refusal-passkey-name-invalid = Please give the passkey a name of 1 to 60 characters.
refusal-passkey-known = This passkey has already been added.
refusal-not-accepted = The input was not accepted. Please check your details and try again.

## Password rules and the fields for a new password

password-rule-length = { $min } to { $max } characters
password-rule-digit = at least one digit
password-rule-letter = at least one letter
password-rule-not-username = not the username
password-rule-not-customer-name = not the customer name
password-rule-not-common = not a commonly used password
# For screen readers only, before the rule (the code adds the space after it).
password-rule-met = met:
password-rule-unmet = not met:
password-new-label = New password
password-confirm-label = Confirm new password

## Master data input (salutation, customer number, documents)

domain-salutation-none = none
domain-salutation-mr = Mr
domain-salutation-ms = Ms
domain-customer-number-length = The customer number must be 1 to 32 characters long.
domain-customer-number-characters = The customer number may only contain letters, digits, - and /.
domain-customer-name-length = The customer name must be 1 to 200 characters long.
domain-customer-name-characters = The customer name contains characters that are not allowed.
domain-document-number-length = The document number must be 1 to { $max } characters long.
domain-document-number-characters = The document number may only contain letters, digits, spaces and - _ .
domain-document-type-key = The document type must be 1 to 32 characters from a–z, 0–9, - and _.
domain-document-type-name = The document type's name must be 1 to 60 characters long.

## Documents

documents-title = Documents
documents-loading = Loading …

## Documents: filters

documents-filter-toggle = Filter
documents-filter-label = Filter documents
documents-filter-search = Search
documents-filter-search-placeholder = Document number
documents-filter-type = Type
documents-filter-all-types = All types
documents-filter-from = Provided from
documents-filter-to = Provided until
documents-filter-per-page = Per page
documents-filter-show = Show
documents-filter-reset = Reset

## Documents: list

documents-empty = No documents found.
documents-count = { $count ->
    [one] { $count } document
   *[other] { $count } documents
}
documents-download-all = Download all (ZIP)
documents-table-caption = Your documents
documents-table-actions = Actions
documents-column-number = Number
documents-column-created = Created
documents-column-type = Type
documents-column-provided = Provided
documents-column-visible-until = Visible until
documents-badge-new = new
documents-view = View
documents-view-label = View { $document } (new window)
documents-download = Download
documents-download-label = Download { $document }
documents-delivery = Sending
documents-delivery-label = Sending of { $document }
documents-pager-label = Pages
documents-pager-previous = Previous
documents-pager-next = Next
documents-pager-position = Page { $page } of { $pages }

## Documents: ZIP export

documents-export-too-many = A ZIP file holds at most { $limit } documents. Please narrow your selection by search, type or period.
documents-export-too-large = This selection is too large for a ZIP file (over 4 GB). Please narrow the filters.
# The ZIP file's name; $date like 2026-01-31.
documents-export-file-name = Documents_{ $date }.zip
# The header line of index.csv (semicolon-separated).
documents-export-index-header = Number;Type;Created;Provided;File;E-invoice profile;Invoice date;Due date;Amount due;Currency;XML file

## Emails: what a caller puts into a mail ready-made (the rest of each
## mail's text is its template, templates/mail/en/)

# The name a mail greets a person by: $salutation as stored (herr, frau, keine).
mail-addressed-as = { $salutation ->
    [herr] Mr { $name }
    [frau] Ms { $name }
   *[other] { $name }
}

# Pages: Forwarding, Profile, the frame (header, navigation, footer, overview),
# legal pages, shared pieces (ui).

## Shared pieces

ui-skip-link = Skip to content
ui-loading = Loading …

## Frame: navigation, tiles, header and footer

shell-documents = Documents
shell-documents-text = View and download invoices, credit notes and other documents from the last 13 months.
shell-forwardings = Forwarding
shell-forwardings-text = Send new documents automatically to further email addresses.
shell-users = Users
shell-users-text = Create, activate and deactivate further users.
shell-activity = Activity log
shell-activity-text = Who signed in when, what was downloaded and what was changed?
shell-profile = Profile
shell-profile-text = Manage your name, password, email address and notifications.
shell-sign-out = Sign out
shell-user-menu = User menu
shell-legal = Legal
# Footer: before the hotline's price note (which comes from the operator).
shell-required-fields = *Required fields · **
shell-main-menu = Main menu
shell-home-title = Overview
shell-welcome = Welcome, { $name }.
shell-new-documents = { $count ->
    [one] 1 new document
   *[other] { $count } new documents
}
shell-not-found-title = Page not found
shell-not-found-text = This page does not exist.
shell-to-home = Back to the overview

## Legal: Contact, Privacy notice, Legal notice

legal-contact = Contact
legal-privacy = Privacy notice
legal-imprint = Legal notice
legal-version = Version { $version }
# The operator has no English text for the page.
legal-shown-in-german = This page is not available in English; it is shown in German.

## Forwarding

forwarding-title = Forwarding
forwarding-status-pending = awaiting confirmation
forwarding-status-expired = confirmation expired
forwarding-status-confirmed = active
forwarding-all-types = all types
forwarding-add-title = Add forwarding
forwarding-add-intro = New documents are sent to the address with the PDF or the e-invoice (XML) attached – for example to your accounts department or to an inbox for invoice processing. Forwarding starts as soon as the recipient has confirmed it using the link in our email.
forwarding-added = The forwarding has been saved. We have sent the recipient an email with a confirmation link.
forwarding-email = Email
forwarding-email-confirm = Confirm email
forwarding-type = Document type
forwarding-types = Document types
forwarding-status = Status
forwarding-actions = Actions
forwarding-save = Save
forwarding-list-title = Your forwardings
forwarding-removed = The forwarding has been removed.
# Before the address in bold.
forwarding-remove-question-start = Remove the forwarding to
# After the address in bold.
forwarding-remove-question-end = ({ $types })? No more documents will be sent to this address afterwards.
forwarding-cancel = Cancel
forwarding-remove = Remove
forwarding-remove-label = Remove forwarding to { $email }
forwarding-count = { $count } of at most { $max } forwarding addresses
forwarding-empty = No forwarding has been set up yet.
forwarding-customer = Customer
forwarding-customer-value = { $name } (customer number { $number })
forwarding-email-address = Email address
forwarding-confirm-title = Confirm forwarding
forwarding-confirmed = Thank you. The forwarding is confirmed: new documents will now be sent to this address. Each of these emails contains a link you can use to end the forwarding.
forwarding-declined = The forwarding has been declined. Nothing will be sent to this address.
forwarding-confirm-intro = Documents from the customer portal are to be forwarded to your email address:
forwarding-decline = Decline
forwarding-end-title = End forwarding
forwarding-ended = The forwarding has ended. No more documents will be sent to this address; the customer has been informed.
forwarding-end-intro = You receive new documents from the customer portal through this forwarding:
# The answer to a one-click unsubscribe (RFC 8058), to the mail program.
forwarding-one-click-ended = The forwarding has ended.

## Delivery log

forwarding-log-title = Sending log
forwarding-log-choose = In the document list, choose “Delivery” for a document.
forwarding-log-back = Back to the documents
forwarding-log-empty = No emails have been sent for this document.
forwarding-log-caption = Emails for { $document }
forwarding-log-recipient = Recipient
forwarding-log-kind = Type
forwarding-log-status = Status
forwarding-log-time = Time
# "Invoice RE-1 of 31/01/2026"
forwarding-log-document = { $kind } { $number } dated { $date }
forwarding-kind-notification = Notification
forwarding-kind-attachment = Notification with attachment
forwarding-kind-forwarding = Forwarding
forwarding-kind-other = Email
forwarding-mail-sent = sent
forwarding-mail-failed = failed
forwarding-mail-expired = expired
forwarding-mail-queued = queued
forwarding-mail-retrying = being retried
forwarding-failure-rejected = The recipient's mail server rejected the email. Please check the address.
forwarding-failure-address = The recipient's address is invalid.
forwarding-failure-document = The document was no longer available when the email was sent.
forwarding-failure-attempts = The email could not be delivered, even after several attempts.

## Profile

profile-title = Profile
profile-personal = Personal information
# Before the @username in bold.
profile-username = Username:
profile-name = Name
profile-password = Password
profile-email = Email
profile-second-factor = Two-factor sign-in
profile-passkeys = Passkeys
profile-sign-ins = Sign-ins
profile-notification = Email notification
profile-save = Save
profile-notification-saved = Your choice has been saved.
profile-notification-legend = Notification of new documents
profile-notify-none = none
profile-notify-none-hint = You will not receive emails about new documents.
profile-notify-notify = notification only
profile-notify-notify-hint = An email lists the new documents and links to the document list.
profile-notify-attachment = with attachment
profile-notify-attachment-hint = One email per document with the PDF attached.
profile-name-saved = Your name has been saved.
profile-salutation = Salutation
profile-first-name = First name
profile-last-name = Last name
# Before the address in bold.
profile-current-email = Current address:
profile-email-pending = Confirmation pending for { $email }: the new address applies as soon as the link in the email sent to it has been opened.
profile-email-sent = We have sent a confirmation link to the new address. It is valid for { $hours } hours; until then your current address remains in use.
profile-new-email = New email address
profile-email-password = Password to confirm
profile-change-email = Change email address
profile-email-confirm-title = Confirm email address
profile-email-confirmed = Your new email address is confirmed. You have been signed out on other devices; a notice has been sent to your previous address.
profile-to-portal = Go to the customer portal
# Before the username in bold.
profile-email-confirm-user = User
# After the username in bold.
profile-email-confirm-new = – new email address:
profile-to-login = Go to sign-in

## Two-factor sign-in: code field

sf-code-label = Code
sf-code-hint-recovery = Six digits from the app, or one of your recovery codes (xxxx-xxxx-xxxx-xxxx).
sf-code-hint-app = The six digits your authenticator app is showing now.
sf-password-label = Password
sf-sign-out = Sign out

## Two-factor sign-in: second step of signing in

sf-second-step-title = Confirm sign-in
sf-second-step-intro = Your user is protected by two-factor sign-in. Please enter the code from your authenticator app.
sf-second-step-submit = Sign in
sf-second-step-cancel = Cancel
sf-second-step-lost = Lost your app and your recovery codes? Please call us; we will reset two-factor sign-in after checking.
sf-second-step-expired = The sign-in has expired or was ended. Please sign in again.
sf-second-step-to-login = Go to sign-in

## Two-factor sign-in: set-up and profile

sf-setup-title = Set up two-factor sign-in
sf-setup-required-intro = Two-factor sign-in is required for your customer account. Please set it up now; then you can continue.
sf-setup-sign-in-too-old = You signed in more than an hour ago. Please sign out and in again; then set up two-factor sign-in.
sf-turned-off-notice = Two-factor sign-in is turned off. Your password alone is enough to sign in again.
sf-off-intro = With two-factor sign-in, the customer portal asks not only for your password but also for a code from an authenticator app on your phone (for example Google Authenticator, Microsoft Authenticator or FreeOTP). Someone who only knows your password cannot get in.
sf-begin-submit = Set up two-factor sign-in
sf-setup-scan = Scan this QR code with your authenticator app:
sf-setup-qr-label = QR code for setting up the authenticator app
sf-setup-manual = Or enter the key by hand (time-based, 6 digits, 30 seconds):
sf-setup-open-app = Open in the authenticator app on this device
sf-setup-enter-code = Enter the code the app is showing now:
sf-setup-code-label = Code from the app
sf-setup-activate = Activate
sf-on-badge = on
sf-on-since = since { $since }. At every sign-in the portal asks for the code from your authenticator app.
sf-recovery-left = { $count ->
    [0] You have no recovery codes left. Please create new ones.
    [1] You have one recovery code left.
   *[other] You have { $count } recovery codes left.
}
sf-renew-hint = New codes replace all previous ones.
sf-renew-submit = Create new recovery codes
sf-required-no-off = Two-factor sign-in is required for your customer account; it cannot be turned off.
sf-off-title = Turn off
sf-off-submit = Turn off two-factor sign-in

## Two-factor sign-in: recovery codes

sf-recovery-title = Recovery codes
sf-recovery-none = Recovery codes are shown only once, right after they were created. You can create new codes in your profile.
sf-recovery-to-profile = Go to profile
sf-recovery-ready = Two-factor sign-in is set up. Here are your recovery codes.
sf-recovery-explain = Each of these codes lets you sign in once when your authenticator app is not at hand. Save or print them now and keep them separate from your password: they are shown only this once.
sf-recovery-download = Download as text file
sf-recovery-done = I have saved the codes
# File name of the text file (ASCII only, no spaces).
sf-recovery-file-name = customer-portal-recovery-codes.txt
sf-recovery-file-heading = Recovery codes for the customer portal of { $operator }
sf-recovery-file-user = User: { $username }
sf-recovery-file-once = Each code works once, when your authenticator app is not at hand.
sf-recovery-file-keep = Keep this file in a safe place, separate from your password.

## Profile: password, sign-ins, confirm password

sf-password-changed = Your password has been changed. You are now signed out on other devices.
sf-current-password-label = Current password
sf-change-password-submit = Change password
sf-sign-in-ended = The sign-in has been ended.
sf-loading = Loading …
sf-sign-in-end-label = Sign out { $browser }
sf-this-device = this device
sf-sign-in-details = Network { $place } · signed in { $since } · last active { $active }
sf-elsewhere-ended = { $count ->
    [0] You were not signed in on any other device.
    [1] One sign-in on another device has been ended.
   *[other] { $count } sign-ins on other devices have been ended.
}
sf-elsewhere-intro = Ends your sign-in on all other devices and browsers. You stay signed in here.
sf-elsewhere-submit = Sign out on all other devices
sf-reauth-title = Confirm password
sf-reauth-intro-with-code = You signed in more than an hour ago. For your security, please confirm your password and a code from your authenticator app before making changes.
sf-reauth-intro = You signed in more than an hour ago. For your security, please confirm your password before making changes.
sf-reauth-code-label = Code from the authenticator app
sf-reauth-submit = Confirm

## Passkeys

passkey-sign-in-intro = Or without a password, with the passkey on this device or your phone:
passkey-sign-in-submit = Sign in with a passkey
passkey-added-notice = The passkey has been added. You can now sign in with it.
passkey-removed-notice = The passkey has been removed.
passkey-unavailable = Passkeys are not set up in this customer portal.
passkey-intro = With a passkey you sign in without a password and code: your device checks your fingerprint, face or PIN. It counts as both factors.
passkey-none = You do not have a passkey yet.
passkey-remove-label = Remove passkey { $name }
passkey-never-used = not used yet
passkey-last-used = last used { $at }
passkey-added-used = added { $added } · { $used }
passkey-remove = Remove
passkey-add-needs-js = Adding a passkey requires JavaScript.
passkey-name-label = Name of the passkey
passkey-name-hint = So that you recognise it later, e.g. “Laptop” or “Phone”.
passkey-add-submit = Add passkey
# In the browser, when the device's dialog fails; $error is the browser's name of the error.
passkey-add-cancelled = Adding the passkey was cancelled or took too long. Please try again.
passkey-sign-in-cancelled = Signing in with a passkey was cancelled or took too long. Please try again.
passkey-already-here = This passkey has already been added on this device.
passkey-add-failed = Adding the passkey did not work ({ $error }). Please try again.
passkey-sign-in-failed = Signing in with a passkey did not work ({ $error }). Please try again.

## /api/docs (the API's page for developers)

api-docs-heading = API of the customer portal
api-docs-introduction = For developers of the app: signing in runs through the browser (OAuth 2.0 with PKCE, client <code>kundenportal-app</code>); after that every request carries <code>Authorization: Bearer</code> with the access token. An example is in the repository under <code>examples/app-sign-in</code>. Machine-readable: <a href="{ $openapi }">openapi.json</a> (OpenAPI { $version }).
api-docs-areas = Areas of the API
api-docs-auth = Authentication:
api-docs-auth-app = the app's access token (<code>Authorization: Bearer</code>)
api-docs-auth-api-key = the operator's API key (<code>Authorization: Bearer</code>)
api-docs-auth-none = none
api-docs-parameters = Parameters
api-docs-required = required
api-docs-optional = optional
api-docs-request-body = Request body:
api-docs-responses = Responses
api-docs-title = API

## Users

users-title = Users
users-loading = Loading …
users-outcome-added = The user has been created. They will receive an email with a link to set their password.
users-outcome-invited = The invitation has been sent again. The previous link no longer works.
users-outcome-saved = The permissions have been saved.
users-outcome-removed = The user has been removed.
users-outcome-deactivated = The user has been deactivated. Their sessions have been ended.
users-outcome-activated = The user is active again and can sign in.
users-outcome-second-factor-required = Two-factor sign-in is now required for all users. Anyone who does not have it yet will set it up before doing anything else.
users-outcome-second-factor-optional = Two-factor sign-in is no longer required. Anyone who has set it up keeps it.
users-add-title = Add user
users-add-intro = The new user will receive an email with a link to set their password (valid for 72 hours).
users-username = Username
users-username-hint = 3 to 64 characters: letters without umlauts, digits and . _ - @
users-email = Email
users-add-submit = Add user
users-list-title = Your users
users-deactivate-question-before = Do you really want to deactivate the user{" "}
users-deactivate-question-after = ?{" "}
users-deactivate-explanation = Their sessions end immediately, open links stop working and they will no longer receive notifications.
users-remove-question-before = Do you really want to remove the user{" "}
users-remove-question-after = ?{" "}
users-remove-explanation = They will no longer be able to sign in; the activity log keeps their name.
users-cancel = Cancel
users-deactivate = Deactivate
users-remove = Remove
users-count = { $count } of at most { $max } users
users-table-caption = Users of your account
users-column-active = Active
users-column-status = Status
users-column-last-sign-in = Last sign-in
users-column-actions = Actions
users-rights = Permissions
users-right-manage-users = Manage users
users-right-manage-forwardings = Manage forwarding
users-rights-main = Main user (all permissions)
users-rights-documents = Documents
users-second-factor-title = Two-factor sign-in
users-second-factor-intro = Require all users of your customer account to enter a code from an authenticator app when they sign in. Anyone who has not set it up yet will do so at their next sign-in, before they can do anything else.
users-second-factor-set-up-first = To do this, first set up two-factor sign-in for yourself (Profile → Two-factor sign-in).
users-second-factor-require = Require two-factor sign-in for all users
users-save = Save
users-activate-label = Activate { $username }
users-active-label = { $username } active
users-active-deactivate-label = { $username } active – deactivate
users-you = You
users-second-factor-yes = Two-factor: yes
users-second-factor-no = Two-factor: no
users-never = never
users-edit-user = Edit user { $username }
users-edit = Edit
users-save-rights = Save permissions
users-no-password-yet = No password set yet. A new invitation replaces the previous link.
users-resend-invitation = Send invitation again
users-close = Close
users-status-invited = invited
users-status-invitation-expired = invitation expired
users-status-active = active
users-status-deactivated = deactivated

## Activity log

# The name of the activity log's CSV file.
activity-export-file = activity-{ $number }.csv
activity-title = Activity log
activity-loading = Loading …
activity-filter-label = Filter activities
activity-all-users = All users
activity-from = From
activity-to = To
activity-show = Show
activity-reset = Reset
activity-entries = { $count ->
    [one] { $count } entry
   *[other] { $count } entries
}
activity-download-csv = Download as CSV
activity-empty = There are no entries for this filter.
activity-table-caption = Activities, newest first
activity-column-time = Time
activity-column-user = User
activity-column-action = Action
activity-column-details = Details
activity-column-address = IP address
activity-pages = Pages
activity-previous = Previous
activity-next = Next
activity-page-of = Page { $page } of { $pages }
activity-who-operator = Operator
activity-who-system = System

## Activity log: what happened (the log's keys)

activity-action-login = Sign-in
activity-action-login-failed = Failed sign-in
activity-action-login-locked = Sign-in locked (too many failed attempts)
activity-action-login-refused-locked = Sign-in refused during lock-out
activity-action-logout = Sign-out
activity-action-signed-out-elsewhere = Signed out on all other devices
activity-action-session-ended = Session ended
activity-action-app-allowed = App access allowed
activity-action-app-refused = App access refused
activity-action-app-signed-in = Signed in to the app
activity-action-app-signed-out = Signed out of the app
activity-action-app-sign-in-ended-reuse = App sign-in ended (token presented again)
activity-action-login-password-accepted = Correct password at sign-in, code requested
activity-action-second-factor-failed = Wrong code at sign-in
activity-action-second-factor-refused-locked = Code refused during lock-out
activity-action-login-with-recovery-code = Sign-in with a recovery code
activity-action-second-factor-on = Two-factor sign-in turned on
activity-action-login-with-passkey = Sign-in with a passkey
activity-action-passkey-added = Passkey added
activity-action-passkey-removed = Passkey removed
activity-action-second-factor-off = Two-factor sign-in turned off
activity-action-second-factor-reset-by-operator = Two-factor sign-in reset by the operator
activity-action-recovery-codes-renewed = New recovery codes generated
activity-action-second-factor-required = Two-factor sign-in required for all users
activity-action-second-factor-not-required = Two-factor sign-in no longer required
activity-action-password-confirmed = Password confirmed
activity-action-current-password-wrong = Wrong password when making a change
activity-action-current-password-refused-locked = Password refused during lock-out when making a change
activity-action-password-changed = Password changed
activity-action-password-reset-requested = Password link requested
activity-action-password-reset = Password reset via link
activity-action-password-set-at-first-sign-in = Own password set
activity-action-password-renewed-after-expiry = Expired password renewed
activity-action-invitation-accepted = Invitation accepted
activity-action-privacy-accepted = Privacy notice accepted
activity-action-document-viewed = Document viewed
activity-action-document-downloaded = Document downloaded
activity-action-documents-exported = Documents exported (ZIP)
activity-action-document-added = Document provided
activity-action-document-purged = Document deleted (retention period expired)
activity-action-notification-changed = Notification changed
activity-action-name-changed = Name changed
activity-action-email-change-requested = Email address change requested
activity-action-email-changed = Email address changed
activity-action-forwarding-added = Forwarding added
activity-action-forwarding-add-refused = Adding forwarding refused
activity-action-forwarding-removed = Forwarding removed
activity-action-forwarding-confirmed = Forwarding confirmed by the recipient
activity-action-forwarding-declined = Forwarding declined by the recipient
activity-action-forwarding-unsubscribed = Forwarding ended by the recipient
activity-action-user-created = User created
activity-action-user-add-refused = Adding user refused
activity-action-user-invited-again = Invitation sent again
activity-action-user-deactivated = User deactivated
activity-action-user-activated = User activated
activity-action-user-rights-changed = Permissions changed
activity-action-user-removed = User removed
activity-action-customer-created = Customer account set up
activity-action-activity-exported = Activity log exported
activity-action-passwords-expire-on = Password expiry set


## E-invoices (ZUGFeRD / Factur-X, XRechnung)
einvoice-note-recognised = e-invoice { $profile }
einvoice-note-date-differs = invoice date { $invoice } differs from the document date { $created }
einvoice-note-unreadable = embedded e-invoice unreadable, provided as a PDF: { $reason }

## E-invoices: what a forwarding sends, the XML with "mit Anhang"
forwarding-sends = Attachment
forwarding-sends-file = PDF
forwarding-sends-xml = only the e-invoice (XML)
forwarding-sends-both = PDF and e-invoice (XML)
forwarding-sends-hint = Documents without an e-invoice are always sent as a PDF.
refusal-forwarding-sends-unknown = Please choose what to attach: the PDF, the e-invoice (XML) or both.
profile-notify-with-xml = Also send the e-invoice (XML)
profile-notify-with-xml-hint = Applies to “with attachment”: when a document is an e-invoice, the email carries its XML file as well as the PDF.

## E-invoices: document list and readable page
documents-filter-einvoices = Only e-invoices
documents-einvoice-badge = E-invoice
documents-einvoice-profile = Profile { $profile }
# $date like 31/01/2027
documents-einvoice-due = due { $date }
documents-xml = XML
documents-xml-label = Download the XML of { $document }
documents-read = Read
documents-read-label = Read { $document } as an e-invoice
documents-view-page-label = View { $document }
einvoice-page-title = E-invoice
einvoice-page-back = Back to the documents
einvoice-page-seller = Seller
einvoice-page-buyer = Buyer
einvoice-page-not-named = Not stated
einvoice-page-vat-id = VAT ID { $id }
einvoice-page-details = Invoice details
einvoice-page-number = Invoice number
einvoice-page-issue-date = Invoice date
einvoice-page-due-date = Due date
einvoice-page-buyer-reference = Leitweg-ID / buyer reference
einvoice-page-iban = IBAN
einvoice-page-lines = Items
einvoice-page-no-lines = The e-invoice has no items.
einvoice-page-more-lines = { $count ->
    [one] 1 more item is not shown here; it is in the XML file.
   *[other] { $count } more items are not shown here; they are in the XML file.
}
einvoice-page-position = No.
einvoice-page-item = Description
einvoice-page-quantity = Quantity
einvoice-page-net-price = Unit price (net)
einvoice-page-tax-rate = VAT
einvoice-page-line-total = Amount (net)
# $rate like 19 or 7.5
einvoice-page-rate = { $rate }%
einvoice-page-totals = Totals
einvoice-page-net = Total net
einvoice-page-tax = VAT
einvoice-page-gross = Total
einvoice-page-due = Amount due
einvoice-page-xml = Download XML
einvoice-page-pdf = View PDF
einvoice-page-pdf-label = View PDF (new window)
# A quantity with its unit; $quantity like 1.5; $plural is "one" for exactly 1, else "other".
einvoice-unit-piece = { $plural ->
    [one] { $quantity } piece
   *[other] { $quantity } pieces
}
einvoice-unit-hour = { $plural ->
    [one] { $quantity } hour
   *[other] { $quantity } hours
}
einvoice-unit-minute = { $plural ->
    [one] { $quantity } minute
   *[other] { $quantity } minutes
}
einvoice-unit-day = { $plural ->
    [one] { $quantity } day
   *[other] { $quantity } days
}
einvoice-unit-week = { $plural ->
    [one] { $quantity } week
   *[other] { $quantity } weeks
}
einvoice-unit-month = { $plural ->
    [one] { $quantity } month
   *[other] { $quantity } months
}
einvoice-unit-year = { $plural ->
    [one] { $quantity } year
   *[other] { $quantity } years
}
audit-notify-xml-on = also send the e-invoice (XML): on
audit-notify-xml-off = also send the e-invoice (XML): off
