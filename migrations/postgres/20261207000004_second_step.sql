-- Two-factor sign-in, its second part. After a right password a user with
-- the second factor is not signed in yet: the browser holds a short-lived
-- cookie whose hash names one row here (five minutes), and only a right
-- code turns it into a session. `lockout_key` is the counter the password
-- try used, so wrong codes count where wrong passwords do; the password's
-- try also covers the first code (`code_tries`), later codes claim their own.
CREATE TABLE sign_in_challenges (
    id_hash        TEXT    NOT NULL PRIMARY KEY,
    user_id        BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    security_stamp TEXT    NOT NULL,
    lockout_key    TEXT    NOT NULL,
    code_tries     BIGINT  NOT NULL DEFAULT 0,
    created_at     BIGINT  NOT NULL
);
CREATE INDEX sign_in_challenges_by_user ON sign_in_challenges (user_id);

-- The main user can require the second factor of every user of the customer.
ALTER TABLE customers ADD COLUMN require_second_factor BOOLEAN NOT NULL DEFAULT FALSE;
