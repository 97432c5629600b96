-- Issue 20: a nightly check-in reminder time, lab re-test goals, personal API tokens and secret
-- calendar feeds. Every row belongs to one person and goes with them. Tokens and feeds keep only
-- the hash of their secret (as sessions and share links do), so a copy of the database opens
-- nothing.

-- `at_minutes`: minutes after midnight, in the person's own time zone.
CREATE TABLE checkin_reminders (
    person_id INTEGER PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    at_minutes INTEGER NOT NULL
);

-- `test`: a knowledge-base lab id (e.g. `ferritin`); `due`: ISO date. One goal per test.
CREATE TABLE lab_goals (
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    test TEXT NOT NULL,
    due TEXT NOT NULL,
    PRIMARY KEY (person_id, test)
);

-- `scopes`: space-separated; `last_used_at`: RFC 3339, NULL until first used. A revoked token
-- is deleted, not flagged: nothing about it is worth keeping.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_used_at TEXT
);
CREATE INDEX api_tokens_by_person ON api_tokens (person_id);

CREATE TABLE calendar_feeds (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX calendar_feeds_by_person ON calendar_feeds (person_id);
