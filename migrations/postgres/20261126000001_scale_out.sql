-- Repeating jobs (purge, sweeps, expiry warnings) run once per period
-- across every instance of the portal: the instance whose row this is
-- claimed the period; another may take it over once the lease has run out
-- without the job finishing.
CREATE TABLE job_runs (
    job          TEXT    NOT NULL,
    -- The period: unix seconds divided by the job's period.
    slot         BIGINT  NOT NULL,
    owner        TEXT    NOT NULL,
    started_at   BIGINT  NOT NULL,
    lease_until  BIGINT  NOT NULL,
    finished_at  BIGINT,
    PRIMARY KEY (job, slot)
);
