-- New-document mails, Weiterleitungen and the delivery log.

-- An address the customer has new documents sent to. It forwards nothing
-- until the link mailed to that address was opened (double opt-in).
CREATE TABLE forwardings (
    id                INTEGER PRIMARY KEY,
    customer_id       INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    email             TEXT    NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    -- NULL: every type.
    type_key          TEXT    REFERENCES document_types (key) ON DELETE CASCADE,
    status            TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed')),
    -- Only a hash of the opt-in link's token; NULL once it was used.
    optin_token_hash  TEXT    UNIQUE,
    optin_expires_at  BIGINT  NOT NULL,
    created_by        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at        BIGINT  NOT NULL,
    confirmed_at      BIGINT,
    CHECK ((status = 'pending') = (confirmed_at IS NULL))
);
-- Addresses are compared case-folded (their domain is lower-cased already).
CREATE UNIQUE INDEX forwardings_address_type ON forwardings (customer_id, lower(email), COALESCE(type_key, ''));

-- Each forwarded mail carries its own "abbestellen" link; only its hash is kept.
CREATE TABLE forwarding_unsubscribe_tokens (
    token_hash     TEXT    PRIMARY KEY,
    forwarding_id  INTEGER NOT NULL REFERENCES forwardings (id) ON DELETE CASCADE,
    created_at     BIGINT  NOT NULL
);
CREATE INDEX forwarding_unsubscribe_tokens_forwarding ON forwarding_unsubscribe_tokens (forwarding_id);

-- Whose mail a row is (new-document mails are batched per user) …
ALTER TABLE mail_outbox ADD COLUMN user_id INTEGER REFERENCES users (id) ON DELETE SET NULL;
-- … the document's PDF read from storage when the mail is sent …
ALTER TABLE mail_outbox ADD COLUMN attachment_document_id INTEGER REFERENCES documents (id) ON DELETE SET NULL;
ALTER TABLE mail_outbox ADD COLUMN attachment_name TEXT;
-- … the one-click unsubscribe address (RFC 8058); it holds a token, so it is scrubbed once sent …
ALTER TABLE mail_outbox ADD COLUMN list_unsubscribe TEXT;
-- … and why a row was given up, for the delivery log.
ALTER TABLE mail_outbox ADD COLUMN failure TEXT CHECK (failure IN ('rejected', 'address', 'document', 'attempts'));
CREATE INDEX mail_outbox_user ON mail_outbox (user_id, kind, status);

-- The delivery log: which mails went out for which document.
CREATE TABLE document_mails (
    document_id  INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    outbox_id    INTEGER NOT NULL REFERENCES mail_outbox (id) ON DELETE CASCADE,
    PRIMARY KEY (document_id, outbox_id)
);
CREATE INDEX document_mails_outbox ON document_mails (outbox_id);
