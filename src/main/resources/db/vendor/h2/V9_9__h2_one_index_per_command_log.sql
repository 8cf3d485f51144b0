-- On H2 the transitions' and the calls' foreign key to their command has an index of its own on
-- command_id (H2 makes one for a key when the table has no index on exactly its columns), and H2
-- keeps each entry of an index together with its row's key, which for these tables is the id. That
-- index is therefore already in (command_id, id) order, and the (command_id, id) index the shared
-- migration adds for PostgreSQL only repeated it: one more index page written for each transition and
-- each call (the command ids of the steps in flight are spread over the whole batch, so a page each),
-- a seventh of what a step's commit wrote. Not on PostgreSQL: there a foreign key has no index.
DROP INDEX bridge_transition_command;
DROP INDEX bridge_call_command;
