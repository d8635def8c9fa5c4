-- Passkeys (WebAuthn): a user signs in with one instead of password and
-- code; it counts as both factors. `webauthn_id` is the random handle the
-- authenticator keeps for the user (never the database id), made with the
-- first passkey. A passkey row holds the credential's public key and
-- counter as webauthn-rs stores them (JSON); `credential_id` finds it.
ALTER TABLE users ADD COLUMN webauthn_id TEXT;
CREATE UNIQUE INDEX users_by_webauthn_id ON users (webauthn_id);

CREATE TABLE passkeys (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    passkey       TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- A ceremony under way (five minutes): the challenge the browser signs and
-- what webauthn-rs must check the answer against. In the database, so that
-- any instance behind one address can finish what another began. Keyed by
-- a hash of the handle the page holds; used once.
CREATE TABLE webauthn_ceremonies (
    id_hash    TEXT    NOT NULL PRIMARY KEY,
    -- Adding a passkey: whose. Signing in: nobody yet.
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT,
    state      TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
