-- PostgreSQL's search gained a subject-and-resolution vector, recency indexes and a word list
-- for typo correction. SQLite's FTS5 tables need none of these.
SELECT 1;
