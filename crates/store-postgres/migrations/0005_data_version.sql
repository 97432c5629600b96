-- A counter per person, raised in the same transaction as every change to their data (profile,
-- labs, nights, experiments, sleep). Derived results (insights, the plan) are cached under it,
-- and the session lookup returns it, so a page knows in one query whether its cache still holds.
ALTER TABLE people ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;
