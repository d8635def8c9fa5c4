-- Reliability: links bound to the security stamp, mails of a forwarding,
-- warnings sent once per moment, daily allowances, and leases on files.

-- A link is good only under the security stamp it was issued with: every
-- change of credentials (which rotates the stamp) voids it.
ALTER TABLE tokens ADD COLUMN security_stamp TEXT NOT NULL DEFAULT '';
UPDATE tokens SET security_stamp = (SELECT security_stamp FROM users WHERE users.id = tokens.user_id);

-- The forwarding a mail belongs to (its confirmation request, a forwarded
-- document): removing or ending it takes back what still waits.
ALTER TABLE mail_outbox ADD COLUMN forwarding_id INTEGER REFERENCES forwardings (id) ON DELETE SET NULL;
CREATE INDEX mail_outbox_forwarding ON mail_outbox (forwarding_id, status);

-- The moment of expiry the user was last warned of: one warning per moment,
-- kept with the user (an outbox key with the user's id would meet the mail
-- of a removed user whose id SQLite gave again).
ALTER TABLE users ADD COLUMN expiry_warned_for BIGINT;
UPDATE users SET expiry_warned_for = (
    SELECT MAX(CAST(substr(o.idempotency_key, length('password_expiry:' || users.id || ':') + 1) AS INTEGER))
    FROM mail_outbox o WHERE o.idempotency_key LIKE 'password_expiry:' || users.id || ':%'
);

-- Additions that mail an address someone typed in, counted per acting user
-- and per customer and calendar day (in KP_TIME_ZONE; `day` is its first
-- second). Removed users and forwardings do not give their count back.
CREATE TABLE daily_allowances (
    action      TEXT    NOT NULL CHECK (action IN ('user_add', 'forwarding_add')),
    counted_by  TEXT    NOT NULL CHECK (counted_by IN ('user', 'customer')),
    subject_id  BIGINT  NOT NULL,
    day         BIGINT  NOT NULL,
    used        INTEGER NOT NULL CHECK (used >= 1),
    PRIMARY KEY (action, counted_by, subject_id, day)
);
CREATE INDEX daily_allowances_day ON daily_allowances (day);

-- Who may touch a stored file right now: an ingest that is about to refer to
-- it, or a clean-up that is about to delete it. The store accepts a file
-- that is there already, so without this a sweep could delete it between
-- an ingest's write and its commit. `holder` is random per lease: an ingest
-- gives back only its own.
CREATE TABLE file_leases (
    sha256      TEXT    PRIMARY KEY CHECK (length(sha256) = 64),
    held_for    TEXT    NOT NULL CHECK (held_for IN ('ingest', 'delete')),
    holder      TEXT    NOT NULL,
    until       BIGINT  NOT NULL
);
