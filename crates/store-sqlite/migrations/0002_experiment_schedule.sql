-- A randomised on/off schedule for an experiment: the seed rebuilds the coin flips, so the
-- schedule can be audited and analysed with an exact randomisation test later.
ALTER TABLE experiments ADD COLUMN schedule_seed INTEGER;
ALTER TABLE experiments ADD COLUMN schedule_pairs INTEGER;
ALTER TABLE experiments ADD COLUMN schedule_period_nights INTEGER;
