-- Password expiry: a date the operator set for a user's password (NULL: none).
-- The maximum age (KP_PASSWORD_MAX_AGE_DAYS) counts from password_changed_at.
ALTER TABLE users ADD COLUMN password_expires_at BIGINT;

-- Portal-wide values that must be the same for every instance, such as when
-- the maximum password age was turned on (passwords already old then get the
-- warning period before they expire).
CREATE TABLE portal_settings (
    key    TEXT    PRIMARY KEY,
    value  BIGINT  NOT NULL
);
