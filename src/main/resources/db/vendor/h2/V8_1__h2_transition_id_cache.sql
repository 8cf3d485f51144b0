-- H2 hands out identity values from memory and writes the sequence's position to the file (a commit
-- of its own) each time its cache of values is used up: 32 by default, so an intake of a million
-- commands made over 30,000 extra commits for their first transitions alone. With a cache of 1,000
-- it makes 1,000. The values stay strictly increasing in the order they are handed out (the cache is
-- the database's, not a session's); a crash only leaves a gap.
-- Not on PostgreSQL: there a sequence's cache is per session and values would come out of order.
ALTER TABLE bridge_transition ALTER COLUMN id SET CACHE 1000;
