-- The transitions and the calls refer to their command by its number (list_no, a BIGINT the
-- database gives each command, unique since V9) instead of its 36-character id. A finished
-- two-step action has five transitions and four calls: the id was kept some nineteen times with
-- their indexes, about 0.7 KB of a command's 2.4 KB on H2. Readers join on
-- bridge_command.list_no, served by its unique index. Portable SQL for H2 2.x and PostgreSQL 13+;
-- dropping command_id drops its foreign key and its indexes on both.

ALTER TABLE bridge_transition ADD COLUMN command_no BIGINT;
UPDATE bridge_transition t SET command_no = (SELECT c.list_no FROM bridge_command c WHERE c.id = t.command_id);
ALTER TABLE bridge_transition ALTER COLUMN command_no SET NOT NULL;
ALTER TABLE bridge_transition ADD CONSTRAINT bridge_transition_command_no FOREIGN KEY (command_no) REFERENCES bridge_command (list_no);
ALTER TABLE bridge_transition DROP COLUMN command_id;

ALTER TABLE bridge_call ADD COLUMN command_no BIGINT;
UPDATE bridge_call c SET command_no = (SELECT m.list_no FROM bridge_command m WHERE m.id = c.command_id);
ALTER TABLE bridge_call ALTER COLUMN command_no SET NOT NULL;
ALTER TABLE bridge_call ADD CONSTRAINT bridge_call_command_no FOREIGN KEY (command_no) REFERENCES bridge_command (list_no);
ALTER TABLE bridge_call DROP COLUMN command_id;
