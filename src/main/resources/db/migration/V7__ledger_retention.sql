-- The ledger's retention (LedgerRetention, bridge.ledger.retention): finished and reported requests are
-- removed once past it, with everything that hangs on them. Indexes for finding them and for removing
-- the rows of the webhook delivery log and of the webhook receiver's event ids that go with them.
-- Portable SQL for H2 2.x and PostgreSQL 13+.

-- requests past the retention, oldest first
CREATE INDEX bridge_request_finished ON bridge_request (finished_at);

-- the delivery log's rows of a transition (COMMAND_STATUS_UPDATED) and of a request's summary (REQUEST_SUMMARY)
CREATE INDEX bridge_webhook_delivery_transition ON bridge_webhook_delivery (transition_id);
CREATE INDEX bridge_webhook_delivery_request ON bridge_webhook_delivery (request_id);

-- event ids the webhook receiver applied, by age
CREATE INDEX camel_messageprocessed_created ON CAMEL_MESSAGEPROCESSED (processorName, createdAt);
