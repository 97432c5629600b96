-- Quietlegs schema, SQLite. Dates are ISO text (YYYY-MM-DD), times HH:MM, booleans 0/1.
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    created_at TEXT NOT NULL
);

-- Every change to the profile is a new version, so a plan can be explained later.
-- `body` is the profile document of spec section 3.
CREATE TABLE profile_versions (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (person_id, version)
);

CREATE TABLE labs (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    test TEXT NOT NULL,
    value REAL NOT NULL,
    unit TEXT NOT NULL,
    canonical_value REAL NOT NULL,
    canonical_unit TEXT NOT NULL,
    taken_on TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX labs_by_person ON labs (person_id, taken_on);

CREATE TABLE nights (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    night TEXT NOT NULL,
    severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 10),
    onset TEXT,
    sleep_hours REAL,
    awakenings INTEGER,
    caffeine_mg REAL,
    last_caffeine TEXT,
    alcohol_drinks REAL,
    exercise_minutes REAL,
    exercise_intensity TEXT,
    exercise_end TEXT,
    sugar_late INTEGER,
    antihistamine INTEGER,
    notes TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (person_id, night)
);

CREATE TABLE night_took (
    person_id INTEGER NOT NULL,
    night TEXT NOT NULL,
    item TEXT NOT NULL,
    taken INTEGER NOT NULL,
    PRIMARY KEY (person_id, night, item),
    FOREIGN KEY (person_id, night) REFERENCES nights (person_id, night) ON DELETE CASCADE
);

CREATE TABLE night_extra (
    person_id INTEGER NOT NULL,
    night TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (person_id, night, name),
    FOREIGN KEY (person_id, night) REFERENCES nights (person_id, night) ON DELETE CASCADE
);

CREATE TABLE experiments (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    remedy TEXT NOT NULL,
    start_night TEXT NOT NULL,
    planned_end TEXT,
    status TEXT NOT NULL,
    UNIQUE (person_id, remedy, start_night)
);

CREATE TABLE sleep_records (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    night TEXT NOT NULL,
    source TEXT NOT NULL,
    asleep_minutes REAL NOT NULL,
    in_bed_minutes REAL NOT NULL,
    awake_minutes REAL NOT NULL,
    deep_minutes REAL NOT NULL,
    rem_minutes REAL NOT NULL,
    core_minutes REAL NOT NULL,
    PRIMARY KEY (person_id, night, source)
);
