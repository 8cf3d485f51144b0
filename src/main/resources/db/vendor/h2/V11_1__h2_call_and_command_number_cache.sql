-- As V8_1 did for the transitions: H2 writes a sequence's position to the file, in a commit of its own
-- that stores every page changed at that moment, each time its cache of 32 values is used up. A call
-- id is taken four times per access action and a command number once, so a 2,000-action run made
-- about 310 of those commits (a sixth of all; a JFR sample showed them in the step writers' inserts).
-- With 1,000 each it makes about 10. The values stay strictly increasing; a crash only leaves a gap.
-- Not on PostgreSQL: there a sequence's cache is per session and values would come out of order.
ALTER TABLE bridge_call ALTER COLUMN id SET CACHE 1000;
ALTER TABLE bridge_command ALTER COLUMN list_no SET CACHE 1000;
