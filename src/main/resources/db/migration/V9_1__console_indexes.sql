-- The operator console (docs/console.md): every query it runs on each poll is served by an index, so
-- a poll costs the same with a backlog of a hundred thousand commands as with ten.
-- Portable SQL for H2 2.x and PostgreSQL 13+.

-- requests, newest first, and newest first of one source
CREATE INDEX bridge_request_created ON bridge_request (created_at);
CREATE INDEX bridge_request_source_created ON bridge_request (source, created_at);

-- a request's commands per state (its progress bar, the progress lines, summaries) and of one state (the state
-- filter), read from the index alone: with 100,000 commands in a request, counting them from the rows
-- took a second of CPU on H2 each time
CREATE INDEX bridge_command_request_state ON bridge_command (request_id, state, invalid, internal);

-- a device's commands, in one request (the console's device filter) or in all (the status API's device filter);
-- neither column ever changes, so state changes do not touch this index
CREATE INDEX bridge_command_device_request ON bridge_command (device, request_id);
