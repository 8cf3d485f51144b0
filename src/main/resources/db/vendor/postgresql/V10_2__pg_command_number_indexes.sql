-- A command's transitions and calls in order. On PostgreSQL a foreign key has no index of its own
-- (on H2 it has, already in (command_no, id) order: see V9_9).
CREATE INDEX bridge_transition_command ON bridge_transition (command_no, id);
CREATE INDEX bridge_call_command ON bridge_call (command_no, id);
