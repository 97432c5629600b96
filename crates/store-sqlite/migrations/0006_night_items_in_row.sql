-- A night's `took:` and `x:` items move into the night's own row, as JSON objects
-- ({"magnesium": true}, {"x:mood": "tired"}; NULL when there are none). A check-in then writes
-- one row instead of up to three, and reading a journal is one query.
ALTER TABLE nights ADD COLUMN took TEXT;
ALTER TABLE nights ADD COLUMN extra TEXT;
UPDATE nights SET took = (
    SELECT json_group_object(t.item, json(CASE WHEN t.taken <> 0 THEN 'true' ELSE 'false' END))
    FROM night_took t WHERE t.person_id = nights.person_id AND t.night = nights.night
) WHERE EXISTS (
    SELECT 1 FROM night_took t WHERE t.person_id = nights.person_id AND t.night = nights.night
);
UPDATE nights SET extra = (
    SELECT json_group_object(e.name, e.value)
    FROM night_extra e WHERE e.person_id = nights.person_id AND e.night = nights.night
) WHERE EXISTS (
    SELECT 1 FROM night_extra e WHERE e.person_id = nights.person_id AND e.night = nights.night
);
DROP TABLE night_took;
DROP TABLE night_extra;
