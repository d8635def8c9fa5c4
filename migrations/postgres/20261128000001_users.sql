-- Profil (e-mail change, sign-ins), Benutzer and the Aktivitätsprotokoll.

-- "Anmeldungen" in the profile: which browser on which system, from roughly
-- where. Only the coarse address is kept (IPv4 /24, IPv6 /48).
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN coarse_ip TEXT;
-- The handle "Abmelden" names a session by: random, never derived from its key.
ALTER TABLE sessions ADD COLUMN handle TEXT;
UPDATE sessions SET handle = md5(random()::text || id_hash);

-- The Benutzer list shows each user's last sign-in.
ALTER TABLE users ADD COLUMN last_sign_in_at BIGINT;

-- A removed user's entries keep their name (actor_user_id becomes NULL).
ALTER TABLE audit_log ADD COLUMN actor_name TEXT;
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, at);
