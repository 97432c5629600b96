\set p random(1, 1000)
INSERT INTO ceiling (n, severity) VALUES (:p, 5);
