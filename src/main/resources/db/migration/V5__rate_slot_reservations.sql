-- A rate-limit slot is reserved together with the work of its call, and timed when the call
-- actually leaves (after the ledger writes that precede it), so the window is measured from real
-- send times. While reserved and not yet sent, a slot counts whatever its age, until pending_until:
-- a reservation not sent by then has lapsed (its call must not be sent) and counts no more.
-- NULL: the call was sent at "at".
ALTER TABLE bridge_rate_slot ADD COLUMN pending_until TIMESTAMP WITH TIME ZONE;
