-- A request's counts per state (progress lines, the status API's request view, summaries) read only
-- this index, not every command row with its payload: with 100,000 commands in a request, counting
-- them took a second of CPU on H2 each time (found with bench/engine.sh idle).
CREATE INDEX bridge_command_counts ON bridge_command (request_id, internal, invalid, state);
