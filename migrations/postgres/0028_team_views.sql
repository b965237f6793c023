-- A shared view can be shared with one team only (its members see it); NULL: with everyone.
ALTER TABLE saved_view ADD COLUMN team_id BIGINT REFERENCES team (team_id) ON DELETE CASCADE;
