-- Sign-in: old failure counters are swept by age; reset and invitation
-- tokens are looked up by user and purpose (index exists) and by hash (unique).
CREATE INDEX login_failures_last ON login_failures (last_failure_at);
