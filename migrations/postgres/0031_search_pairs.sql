-- SQLite's index of character pairs (see the SQLite migration); PostgreSQL matches short words
-- through its trigram and prefix indexes and needs nothing new.
SELECT 1;
