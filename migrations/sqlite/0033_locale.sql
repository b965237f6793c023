-- The language each person sees Casebook in: an agent's own choice (NULL follows the browser and
-- the installation's default) and the language a customer last wrote or chose (NULL: not known
-- yet), which their mail follows.
ALTER TABLE agent ADD COLUMN locale TEXT;
ALTER TABLE customer ADD COLUMN locale TEXT;
