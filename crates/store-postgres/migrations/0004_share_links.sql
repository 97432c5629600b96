-- Read-only links to a person's doctor report. Only a hash of the link's token is kept;
-- `expires_at` is in Unix seconds; a revoked link stays listed but no longer opens.
CREATE TABLE share_links (
    id BIGSERIAL PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX share_links_by_person ON share_links (person_id);
