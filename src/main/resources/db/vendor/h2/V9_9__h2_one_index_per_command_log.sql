-- On H2 the transitions' and the calls' foreign key to their command has an index of its own on
-- command_id (H2 makes one for a key when the table has no index on exactly its columns), and H2
-- keeps each entry of an index together with its row's key, which for these tables is the id. That
-- index is therefore already in (command_id, id) order, and the (command_id, id) index the shared
-- migration adds for PostgreSQL only repeated it: about 400 bytes kept per finished command (of 3.8 KB),
-- and one more index page written for each transition and each call. Not on PostgreSQL: there a
-- foreign key has no index of its own.
DROP INDEX bridge_transition_command;
DROP INDEX bridge_call_command;
