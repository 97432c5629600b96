-- Issue 20: Web Push subscriptions (one row per person and browser) and the reminders already
-- sent to each, so a reminder goes out once even with several app servers or a restart.
-- `p256dh` and `auth` are the browser's keys, base64url; `due_at` is the reminder's instant in
-- Unix seconds. Both go with the person (and a delivery with its subscription).
CREATE TABLE push_subscriptions (
    id BIGSERIAL PRIMARY KEY,
    person_id BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    endpoint TEXT NOT NULL,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (person_id, endpoint)
);
CREATE INDEX push_subscriptions_by_endpoint ON push_subscriptions (endpoint);

CREATE TABLE push_deliveries (
    subscription_id BIGINT NOT NULL REFERENCES push_subscriptions (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    due_at BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, kind, due_at)
);
CREATE INDEX push_deliveries_by_due ON push_deliveries (due_at);
