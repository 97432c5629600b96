-- Quietlegs schema, PostgreSQL. Dates are ISO text (YYYY-MM-DD), times HH:MM, booleans 0/1.
CREATE TABLE people (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT,
    created_at TEXT NOT NULL
);

-- Every change to the profile is a new version, so a plan can be explained later.
-- `body` is the profile document of spec section 3.
CREATE TABLE profile_versions (
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (person_id, version)
);

CREATE TABLE labs (
    id BIGSERIAL PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    test TEXT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    unit TEXT NOT NULL,
    canonical_value DOUBLE PRECISION NOT NULL,
    canonical_unit TEXT NOT NULL,
    taken_on TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX labs_by_person ON labs (person_id, taken_on);

CREATE TABLE nights (
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    night TEXT NOT NULL,
    severity BIGINT NOT NULL CHECK (severity BETWEEN 0 AND 10),
    onset TEXT,
    sleep_hours DOUBLE PRECISION,
    awakenings BIGINT,
    caffeine_mg DOUBLE PRECISION,
    last_caffeine TEXT,
    alcohol_drinks DOUBLE PRECISION,
    exercise_minutes DOUBLE PRECISION,
    exercise_intensity TEXT,
    exercise_end TEXT,
    sugar_late BIGINT,
    antihistamine BIGINT,
    notes TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (person_id, night)
);

CREATE TABLE night_took (
    person_id BIGINT NOT NULL,
    night TEXT NOT NULL,
    item TEXT NOT NULL,
    taken BIGINT NOT NULL,
    PRIMARY KEY (person_id, night, item),
    FOREIGN KEY (person_id, night) REFERENCES nights (person_id, night) ON DELETE CASCADE
);

CREATE TABLE night_extra (
    person_id BIGINT NOT NULL,
    night TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (person_id, night, name),
    FOREIGN KEY (person_id, night) REFERENCES nights (person_id, night) ON DELETE CASCADE
);

CREATE TABLE experiments (
    id BIGSERIAL PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    remedy TEXT NOT NULL,
    start_night TEXT NOT NULL,
    planned_end TEXT,
    status TEXT NOT NULL,
    UNIQUE (person_id, remedy, start_night)
);

CREATE TABLE sleep_records (
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    night TEXT NOT NULL,
    source TEXT NOT NULL,
    asleep_minutes DOUBLE PRECISION NOT NULL,
    in_bed_minutes DOUBLE PRECISION NOT NULL,
    awake_minutes DOUBLE PRECISION NOT NULL,
    deep_minutes DOUBLE PRECISION NOT NULL,
    rem_minutes DOUBLE PRECISION NOT NULL,
    core_minutes DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (person_id, night, source)
);
