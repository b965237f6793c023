-- Two-character words in scripts without spaces between syllables' words (Korean 결제, 환불;
-- Chinese and Japanese; two-letter Arabic words) are shorter than the trigram index's three
-- characters, so they were found by scanning every document. This index holds each pair of
-- adjacent characters of every word that has a non-ASCII character ("환불을" gives 환불 불을),
-- one token each: such a query is then one lookup. No copy of the text is kept.
CREATE VIRTUAL TABLE search_fts_pairs USING fts5(
    subject, body, internal, resolution, tags, customer,
    tokenize = 'unicode61 remove_diacritics 0',
    content = '', contentless_delete = 1
);
-- Documents with non-ASCII text are indexed again (by the search reconcile, in the background)
-- so their pairs are filled in.
UPDATE search_state SET version = -1 WHERE ticket_id IN (
    SELECT rowid FROM search_fts
    WHERE (COALESCE(subject, '') || ' ' || COALESCE(body, '') || ' ' || COALESCE(internal, '') || ' '
        || COALESCE(resolution, '') || ' ' || COALESCE(tags, '') || ' ' || COALESCE(customer, ''))
        GLOB ('*[^' || char(1) || '-' || char(127) || ']*')
);
