-- Two-factor sign-in, its first part: a TOTP secret per user (RFC 6238),
-- confirmed with one code before it counts (`totp_enabled_at`), and the
-- last 30-second step whose code was accepted, so that no code is accepted
-- twice (RFC 6238 §5.2). Ten recovery codes per user, only as hashes, each
-- usable once.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled_at BIGINT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

CREATE TABLE recovery_codes (
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    used_at    BIGINT,
    PRIMARY KEY (user_id, code_hash)
);
