-- E-invoices (ZUGFeRD / Factur-X and XRechnung). A document's own file is
-- a PDF, as before, or a bare invoice XML (an XRechnung delivered alone).
ALTER TABLE documents ADD COLUMN file_kind TEXT NOT NULL DEFAULT 'pdf' CHECK (file_kind IN ('pdf', 'xml'));

-- The structured invoice a document carries: its key fields, read at
-- ingest, and the invoice XML itself, stored content-addressed beside the
-- PDF in the same store (for a bare XML, the document's own file).
CREATE TABLE einvoices (
    document_id     INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    -- cii, ubl_invoice, ubl_credit_note
    syntax          TEXT    NOT NULL CHECK (length(syntax) BETWEEN 1 AND 20),
    -- minimum, basic_wl, basic, en16931, extended, xrechnung; NULL: the
    -- document names none we know (the ID it names is in profile_id).
    profile         TEXT    CHECK (profile IS NULL OR length(profile) BETWEEN 1 AND 20),
    profile_id      TEXT    CHECK (profile_id IS NULL OR length(profile_id) <= 300),
    invoice_number  TEXT    NOT NULL CHECK (length(invoice_number) BETWEEN 1 AND 200),
    type_code       TEXT    CHECK (type_code IS NULL OR length(type_code) <= 10),
    issue_date      TEXT    NOT NULL CHECK (length(issue_date) = 10),
    due_date        TEXT    CHECK (due_date IS NULL OR length(due_date) = 10),
    currency        TEXT    NOT NULL CHECK (length(currency) BETWEEN 1 AND 10),
    -- Exact decimals as the invoice writes them ("1190.00"), never floats.
    grand_total     TEXT    CHECK (grand_total IS NULL OR length(grand_total) <= 40),
    due_payable     TEXT    CHECK (due_payable IS NULL OR length(due_payable) <= 40),
    seller_name     TEXT    CHECK (seller_name IS NULL OR length(seller_name) <= 300),
    xml_sha256      TEXT    NOT NULL CHECK (length(xml_sha256) = 64),
    xml_size_bytes  BIGINT  NOT NULL CHECK (xml_size_bytes > 0)
);
CREATE INDEX einvoices_by_file ON einvoices (xml_sha256);

-- What a forwarding sends: the document's file (as before), the invoice
-- XML only, or both. A document without an invoice XML goes as its file.
ALTER TABLE forwardings ADD COLUMN sends TEXT NOT NULL DEFAULT 'file' CHECK (sends IN ('file', 'xml', 'both'));

-- "mit Anhang" mails add the invoice XML when the user asks for it.
ALTER TABLE users ADD COLUMN notify_with_xml BOOLEAN NOT NULL DEFAULT FALSE;

-- Which of a document's files a queued mail attaches (read from the store
-- when the mail is sent): its file, its invoice XML, or both.
ALTER TABLE mail_outbox ADD COLUMN attachment_parts TEXT NOT NULL DEFAULT 'file' CHECK (attachment_parts IN ('file', 'xml', 'both'));
