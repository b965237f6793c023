-- Search on PostgreSQL: cheaper candidates, a subject-and-resolution vector and a word list.

-- Subject (A) and resolution (B) only, in both configurations: what "similar solved tickets"
-- compares, small enough to walk and rank without reading a ticket's whole text.
ALTER TABLE search_doc ADD COLUMN tsv_key TSVECTOR NOT NULL DEFAULT ''::tsvector;
UPDATE search_doc SET tsv_key =
    setweight(to_tsvector('english', subject), 'A') || setweight(to_tsvector('simple', subject), 'A')
    || setweight(to_tsvector('english', resolution), 'B') || setweight(to_tsvector('simple', resolution), 'B');
CREATE INDEX search_doc_tsv_key_idx ON search_doc USING GIN (tsv_key);

-- Candidates are the most recent matches: walked newest first in a total order (ties broken by
-- ticket), among all tickets or among solved ones only.
DROP INDEX search_doc_updated_idx;
CREATE INDEX search_doc_recent_idx ON search_doc (updated_at, ticket_id);
CREATE INDEX search_doc_solved_recent_idx ON search_doc (updated_at, ticket_id)
    WHERE status IN ('solved', 'closed');

-- Every word the index holds (letters only, 3 to 40 of them), in both configurations' forms. A
-- query word that is neither a word here nor the start of one is misspelt: search suggests the
-- most similar word from this list instead. Words are added as tickets are indexed and never
-- taken away (a word no ticket holds any more finds nothing, which is harmless).
CREATE TABLE search_word (
    word TEXT COLLATE "C" PRIMARY KEY
);
INSERT INTO search_word (word)
SELECT DISTINCT w
FROM search_doc d, unnest(tsvector_to_array(d.tsv) || tsvector_to_array(d.tsv_internal)) AS w
WHERE length(w) BETWEEN 3 AND 40 AND w ~ '^[[:alpha:]]+$';

-- Typo tolerance moves from whole subjects to single words.
DROP INDEX IF EXISTS search_doc_subject_trgm_idx;
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXECUTE 'CREATE INDEX search_word_trgm_idx ON search_word USING GIN (word gin_trgm_ops)';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm unavailable (%); misspelt words are not corrected', SQLERRM;
END
$$;
