\set p random(1, 10000)
\set d random(1, 1000)
\set s random(0, 10)
INSERT INTO nights (person_id, night, severity, updated_at) VALUES (:p, to_char(date '2026-11-22' - (:d)::int, 'YYYY-MM-DD'), :s, 'x') ON CONFLICT (person_id, night) DO UPDATE SET severity = excluded.severity, updated_at = excluded.updated_at;
