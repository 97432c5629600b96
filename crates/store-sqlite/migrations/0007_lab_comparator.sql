-- A lab that reported only a bound ("< 5 ng/mL") keeps it: '<', '<=', '>=' or '>'; NULL for an
-- exact value. The value column then holds the bound.
ALTER TABLE labs ADD COLUMN comparator TEXT;
