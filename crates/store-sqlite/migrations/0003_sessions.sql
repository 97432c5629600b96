-- Web sessions. Only a hash of the cookie's token is kept, so a copy of the database cannot be
-- used to sign in. `expires_at` is in Unix seconds.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_person ON sessions (person_id);
