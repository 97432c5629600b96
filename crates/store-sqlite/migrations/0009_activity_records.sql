-- A day's activity from a wearable (workouts, steps, resting heart rate), kept as context for
-- the night of that date. The import keeps one record per day, replacing the stored one rather
-- than adding beside it. NULL is "not measured", never 0.
CREATE TABLE activity_records (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    night TEXT NOT NULL,
    source TEXT NOT NULL,
    exercise_minutes REAL,
    exercise_end TEXT,
    steps INTEGER,
    resting_hr REAL,
    PRIMARY KEY (person_id, night, source)
);
