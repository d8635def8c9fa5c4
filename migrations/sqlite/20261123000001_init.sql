-- Kundenportal schema. Times are unix seconds (BIGINT); booleans are
-- 0/1 integers so that the same queries run on SQLite and PostgreSQL.

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    number      TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE users (
    id                      INTEGER PRIMARY KEY,
    customer_id             INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    username                TEXT    NOT NULL CHECK (length(username) BETWEEN 3 AND 64),
    email                   TEXT    NOT NULL,
    salutation              TEXT    NOT NULL DEFAULT 'keine' CHECK (salutation IN ('keine', 'herr', 'frau')),
    first_name              TEXT    NOT NULL DEFAULT '',
    last_name               TEXT    NOT NULL DEFAULT '',
    role                    TEXT    NOT NULL CHECK (role IN ('main', 'sub')),
    can_manage_users        INTEGER NOT NULL DEFAULT 0 CHECK (can_manage_users IN (0, 1)),
    can_manage_forwardings  INTEGER NOT NULL DEFAULT 0 CHECK (can_manage_forwardings IN (0, 1)),
    active                  INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    -- NULL until the user has set a password through the invitation link.
    password_hash           TEXT,
    must_change_password    INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    password_changed_at     BIGINT,
    -- Rotates on password change, reset, e-mail change, deactivation and
    -- "sign out everywhere"; sessions carrying an older stamp are dead.
    security_stamp          TEXT    NOT NULL,
    notify_mode             TEXT    NOT NULL DEFAULT 'notify' CHECK (notify_mode IN ('none', 'notify', 'attachment')),
    created_at              BIGINT  NOT NULL
);
-- Usernames are ASCII (see domain::Username), so lower() folds them alike on both databases.
CREATE UNIQUE INDEX users_username_folded ON users (lower(username));
CREATE INDEX users_customer ON users (customer_id);
CREATE INDEX users_email ON users (lower(email));

CREATE TABLE sessions (
    -- Only a hash of the cookie value is stored.
    id_hash           TEXT    PRIMARY KEY,
    user_id           INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    security_stamp    TEXT    NOT NULL,
    created_at        BIGINT  NOT NULL,
    last_seen_at      BIGINT  NOT NULL,
    authenticated_at  BIGINT  NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT    NOT NULL CHECK (purpose IN ('invitation', 'password_reset', 'email_change', 'forwarding_optin')),
    token_hash  TEXT    NOT NULL,
    -- e.g. the new address of an e-mail change
    payload     TEXT,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    used_at     BIGINT,
    CHECK (expires_at > created_at)
);
CREATE UNIQUE INDEX tokens_hash ON tokens (token_hash);
CREATE INDEX tokens_user_purpose ON tokens (user_id, purpose);

-- Failed sign-ins per case-folded identifier, for names that exist and names that do not.
CREATE TABLE login_failures (
    identifier_key   TEXT    PRIMARY KEY,
    failures         INTEGER NOT NULL CHECK (failures >= 0),
    last_failure_at  BIGINT  NOT NULL,
    locked_until     BIGINT
);

CREATE TABLE privacy_notices (
    version       INTEGER PRIMARY KEY CHECK (version >= 1),
    body          TEXT    NOT NULL,
    published_at  BIGINT  NOT NULL
);

CREATE TABLE privacy_acceptances (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL REFERENCES privacy_notices (version),
    accepted_at  BIGINT  NOT NULL,
    PRIMARY KEY (user_id, version)
);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           BIGINT  NOT NULL,
    -- 'operator', 'system' or 'user'
    actor_kind   TEXT    NOT NULL CHECK (actor_kind IN ('operator', 'system', 'user')),
    actor_user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    customer_id  INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    action       TEXT    NOT NULL,
    detail       TEXT    NOT NULL DEFAULT '',
    ip           TEXT
);
CREATE INDEX audit_log_customer ON audit_log (customer_id, at);

CREATE TABLE mail_outbox (
    id               INTEGER PRIMARY KEY,
    -- e.g. 'invitation:{token id}', 'newdoc:{doc}:{recipient}'; a second insert is a no-op.
    idempotency_key  TEXT    NOT NULL,
    kind             TEXT    NOT NULL,
    recipient        TEXT    NOT NULL,
    subject          TEXT    NOT NULL,
    -- Scrubbed to '' once sent or expired: they may hold a live link.
    body_text        TEXT    NOT NULL,
    body_html        TEXT    NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'dead', 'expired')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  BIGINT  NOT NULL,
    lease_owner      TEXT,
    lease_until      BIGINT,
    last_error       TEXT,
    -- Rows that carry a token expire with it.
    expires_at       BIGINT,
    created_at       BIGINT  NOT NULL,
    sent_at          BIGINT
);
CREATE UNIQUE INDEX mail_outbox_key ON mail_outbox (idempotency_key);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
