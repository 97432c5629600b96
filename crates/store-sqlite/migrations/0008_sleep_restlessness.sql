-- Restlessness a tracker measured (Fitbit's restless minutes and spells): an objective proxy for
-- restless legs; NULL when the device gives none.
ALTER TABLE sleep_records ADD COLUMN restless_minutes REAL;
ALTER TABLE sleep_records ADD COLUMN restless_count INTEGER;
