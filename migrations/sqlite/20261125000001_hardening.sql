-- Passwords are hashed in Unicode NFC from this version on. Hashes stored
-- before are of the characters as typed; they are replaced at the user's
-- next successful sign-in.
ALTER TABLE users ADD COLUMN password_normalized INTEGER NOT NULL DEFAULT 1 CHECK (password_normalized IN (0, 1));
UPDATE users SET password_normalized = 0 WHERE password_hash IS NOT NULL;

-- Browsers a user signed in with successfully (OWASP's device cookies):
-- their tries are counted apart from the name's, so that someone else's
-- failures do not lock them out. Only a hash of the cookie is stored.
CREATE TABLE trusted_devices (
    token_hash  TEXT    PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL
);
CREATE INDEX trusted_devices_user ON trusted_devices (user_id, created_at);
CREATE INDEX trusted_devices_expiry ON trusted_devices (expires_at);

-- The hourly cleanup finds spent links and dead sessions by these.
CREATE INDEX tokens_expiry ON tokens (expires_at);
CREATE INDEX tokens_used ON tokens (used_at);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- "Passwort vergessen" mails per account and requesting address (an IPv6
-- /64 counts as one): at most one in 5 minutes per account, a few per day
-- per address, counted from its first mail of the day (`window_start`), and
-- a higher cap per account, so that a stranger cannot use up the owner's.
CREATE TABLE reset_mail_budget (
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_key    TEXT    NOT NULL,
    window_start  BIGINT  NOT NULL,
    mails         INTEGER NOT NULL CHECK (mails >= 1),
    last_mail_at  BIGINT  NOT NULL,
    PRIMARY KEY (user_id, client_key)
);
