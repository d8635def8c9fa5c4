-- English as a second language. The user's language (Profil → Sprache):
-- the pages after sign-in and every mail to them; NULL means not chosen,
-- the operator's default (KP_DEFAULT_LANGUAGE).
ALTER TABLE users ADD COLUMN language TEXT CHECK (language IN ('de', 'en'));

-- A forwarding's mails go out in the language of the user who set it up,
-- kept here so it outlives that user. The portal spoke only German before.
ALTER TABLE forwardings ADD COLUMN language TEXT NOT NULL DEFAULT 'de' CHECK (language IN ('de', 'en'));

-- A document type's English name; NULL shows the German one. The default
-- types get theirs, unless the operator has renamed them meanwhile.
ALTER TABLE document_types ADD COLUMN name_en TEXT CHECK (name_en IS NULL OR length(name_en) BETWEEN 1 AND 60);
UPDATE document_types SET name_en = CASE key || ':' || name
    WHEN 'rechnung:Rechnung' THEN 'Invoice'
    WHEN 'gutschrift:Gutschrift' THEN 'Credit note'
    WHEN 'mahnung:Mahnung' THEN 'Payment reminder'
    WHEN 'lieferschein:Lieferschein' THEN 'Delivery note'
    WHEN 'vertrag:Vertrag' THEN 'Contract'
    WHEN 'sonstiges:Sonstiges' THEN 'Other'
    ELSE NULL
END;

-- The language a queued mail was rendered in (its Content-Language header).
-- A mail keeps it whatever the user chooses meanwhile; only a batched
-- new-documents notice not yet tried is rendered anew when a document joins it.
ALTER TABLE mail_outbox ADD COLUMN language TEXT NOT NULL DEFAULT 'de' CHECK (language IN ('de', 'en'));
