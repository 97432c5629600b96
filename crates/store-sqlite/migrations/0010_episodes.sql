-- "My legs are acting up now": one row per tap, with the instant (RFC 3339, UTC) and the wall
-- clock where the person was (HH:MM, their profile's zone at that moment), so a later change of
-- zone does not move what they saw. `night` is the evening the moment belongs to.
CREATE TABLE episodes (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    night TEXT NOT NULL,
    at TEXT NOT NULL,
    local_time TEXT NOT NULL
);
CREATE INDEX episodes_by_night ON episodes (person_id, night, at);
