-- Documents. Portable SQL: the same statements run on SQLite and PostgreSQL.

CREATE TABLE document_types (
    key       TEXT    PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 32),
    name      TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 60),
    position  INTEGER NOT NULL DEFAULT 100
);
INSERT INTO document_types (key, name, position) VALUES
    ('rechnung', 'Rechnung', 1),
    ('gutschrift', 'Gutschrift', 2),
    ('mahnung', 'Mahnung', 3),
    ('lieferschein', 'Lieferschein', 4),
    ('vertrag', 'Vertrag', 5),
    ('sonstiges', 'Sonstiges', 6);

CREATE TABLE documents (
    -- AUTOINCREMENT: an id is never given again after a purge, so an old
    -- bookmark cannot open a newer document.
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    customer_id  INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    number       TEXT    NOT NULL CHECK (length(number) BETWEEN 1 AND 64),
    type_key     TEXT    NOT NULL REFERENCES document_types (key),
    -- The date printed on the document (Erstellung), as YYYY-MM-DD.
    created_on   TEXT    NOT NULL CHECK (length(created_on) = 10),
    -- When it was provided in the portal (Bereitstellung), unix seconds.
    provided_at  BIGINT  NOT NULL,
    -- The moment it leaves the list: the day after "provided + N calendar
    -- months" begins, in the operator's time zone. Fixed at ingest.
    hidden_from  BIGINT  NOT NULL,
    -- The file in storage: its SHA-256, hex (content-addressed).
    sha256       TEXT    NOT NULL CHECK (length(sha256) = 64),
    size_bytes   BIGINT  NOT NULL CHECK (size_bytes > 0),
    ingested_at  BIGINT  NOT NULL,
    UNIQUE (customer_id, number, type_key)
);
-- The default order (newest first) and its keyset paging.
CREATE INDEX documents_by_provided ON documents (customer_id, provided_at, id);
CREATE INDEX documents_by_file ON documents (sha256);
CREATE INDEX documents_by_hidden ON documents (hidden_from);

-- Who has opened which document: the rest are "neu" for that user.
CREATE TABLE document_reads (
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    document_id  INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    read_at      BIGINT  NOT NULL,
    PRIMARY KEY (user_id, document_id)
);
CREATE INDEX document_reads_document ON document_reads (document_id);

-- Keys of the operator's systems for the ingest API. Only a hash is stored.
CREATE TABLE api_keys (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    key_hash      TEXT    NOT NULL UNIQUE,
    created_at    BIGINT  NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);
