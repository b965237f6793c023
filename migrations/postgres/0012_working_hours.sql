-- An agent's working hours: a business calendar (the SLA calendars). Outside it an "online" agent
-- is not given new tickets; NULL means always.
ALTER TABLE agent ADD COLUMN working_calendar_id BIGINT REFERENCES sla_calendar (sla_calendar_id);
