-- A transition's from_state is the to_state of its command's transition before it (none for the
-- first): each move is written with `UPDATE bridge_command ... WHERE state = <from>` in the same
-- transaction as its transition, so the two always agree, and the retention removes a command's
-- transitions all together. Readers take it from the transition before (LedgerReads.transitions,
-- SubscriberLedger) instead of a second copy of a state's label in every row: about 75 bytes per
-- finished two-step action. Portable SQL for H2 2.x and PostgreSQL 13+.
ALTER TABLE bridge_transition DROP COLUMN from_state;
