-- Password expiry: a date the operator set for a user's password (NULL: none).
-- The maximum age (KP_PASSWORD_MAX_AGE_DAYS) counts from password_changed_at.
ALTER TABLE users ADD COLUMN password_expires_at BIGINT;
