-- The engine at scale: every query a timer runs is served by an index, so its cost stays flat as
-- the backlog and the history grow. Portable SQL for H2 2.x and PostgreSQL 13+.

-- Started work first: 0 for a step of an action already begun (an upload after its create, a
-- poll, a retry, a lost answer's recovery), 1 for a command nothing was sent for yet. A claim takes
-- every due step of rank 0 before any new create, so a create is followed by its upload within
-- seconds however many creates are queued behind it. 2 for a final command, which no claim reads.
ALTER TABLE bridge_command ADD COLUMN queue_rank SMALLINT DEFAULT 1 NOT NULL;
UPDATE bridge_command SET queue_rank = 0 WHERE phase IN ('CREATE_SENT', 'UPLOAD', 'UPLOAD_SENT', 'POLL') OR attempts > 0;
UPDATE bridge_command SET queue_rank = 2 WHERE finished_at IS NOT NULL;

-- The claim: due steps of one kind by rank and time (a final command's next_attempt_at is NULL).
DROP INDEX bridge_command_due;
CREATE INDEX bridge_command_due ON bridge_command (kind, queue_rank, next_attempt_at, seq);

-- "Is every command of this request final?": one index probe per open request.
CREATE INDEX bridge_command_open ON bridge_command (request_id, finished_at);

-- The deadline watch: commands not final yet, by deadline (finished ones are never scanned).
DROP INDEX bridge_command_deadline;
CREATE INDEX bridge_command_deadline ON bridge_command (finished_at, deadline_at);

-- Inbox commands held back by not_before, by due time.
CREATE INDEX bridge_command_state_due ON bridge_command (state, next_attempt_at);

-- Requests still open, and those finished and not yet reported.
CREATE INDEX bridge_request_open ON bridge_request (reported_at, finished_at);
