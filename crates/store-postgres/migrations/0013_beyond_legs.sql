-- Symptoms that night also beyond the legs (arms, trunk): a sign of augmentation on a dopamine
-- medicine. NULL when not recorded.
ALTER TABLE nights ADD COLUMN beyond_legs BIGINT;
