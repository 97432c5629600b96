-- A night's `took:` and `x:` items move into the night's own row, as JSON objects
-- ({"magnesium": true}, {"x:mood": "tired"}; NULL when there are none). A check-in then writes
-- one row instead of up to three, and reading a journal is one query.
ALTER TABLE nights ADD COLUMN took TEXT, ADD COLUMN extra TEXT;
UPDATE nights n SET took = t.items
FROM (
    SELECT person_id, night, json_object_agg(item, taken <> 0)::text AS items
    FROM night_took GROUP BY person_id, night
) t
WHERE n.person_id = t.person_id AND n.night = t.night;
UPDATE nights n SET extra = e.items
FROM (
    SELECT person_id, night, json_object_agg(name, value)::text AS items
    FROM night_extra GROUP BY person_id, night
) e
WHERE n.person_id = e.person_id AND n.night = e.night;
DROP TABLE night_took;
DROP TABLE night_extra;
