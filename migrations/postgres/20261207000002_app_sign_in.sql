-- The mobile app's sign-in (OAuth 2.0 for native apps with PKCE). An app
-- sign-in is a session like a browser's: listed in Profil → Anmeldungen,
-- ended there, by "auf allen anderen Geräten abmelden" and by every change
-- of credentials (its security stamp). It lives longer than a browser's,
-- so each session keeps its own limits.
ALTER TABLE sessions ADD COLUMN app_client TEXT;
ALTER TABLE sessions ADD COLUMN idle_seconds BIGINT NOT NULL DEFAULT 1800;
ALTER TABLE sessions ADD COLUMN max_seconds BIGINT NOT NULL DEFAULT 43200;

-- An authorization code: single use, a minute at most, bound to the client,
-- redirect URI and PKCE challenge, and to the user's security stamp when the
-- user allowed the app; the app's sign-in counts from the browser's
-- (`authenticated_at`). `session_hash` is the app sign-in it was exchanged
-- for: a code used twice ends that sign-in.
CREATE TABLE oauth_codes (
    code_hash       TEXT    PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id       TEXT    NOT NULL,
    redirect_uri    TEXT    NOT NULL,
    code_challenge  TEXT    NOT NULL,
    security_stamp  TEXT    NOT NULL,
    authenticated_at BIGINT NOT NULL,
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    used_at         BIGINT,
    session_hash    TEXT    REFERENCES sessions (id_hash) ON DELETE SET NULL
);
CREATE INDEX oauth_codes_expiry ON oauth_codes (expires_at);

-- The app's access and refresh tokens, only as hashes. A refresh token is
-- spent when used; presenting a spent one ends its whole sign-in.
CREATE TABLE oauth_tokens (
    token_hash    TEXT    PRIMARY KEY,
    session_hash  TEXT    NOT NULL REFERENCES sessions (id_hash) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('access', 'refresh')),
    created_at    BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    spent_at      BIGINT
);
CREATE INDEX oauth_tokens_session ON oauth_tokens (session_hash);
CREATE INDEX oauth_tokens_expiry ON oauth_tokens (expires_at);
