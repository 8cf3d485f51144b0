-- Intake at scale: one pipeline for every trigger, records written hundreds per transaction.
-- Portable SQL for H2 2.x and PostgreSQL 13+.

-- How far the intake of a request got: every record before this position is in the ledger (written
-- with it, in the same transaction), so an interrupted intake resumes right after it.
ALTER TABLE bridge_request ADD COLUMN records_read INTEGER DEFAULT 0 NOT NULL;

-- The base name of the request's outbox files, chosen at intake and unique, so that two requests
-- never write the same result files (two file names folding to the same ASCII name, a file name
-- dropped again with other content, request ids that differ only in characters a file name cannot hold).
ALTER TABLE bridge_request ADD COLUMN outbox_name VARCHAR(250);
CREATE UNIQUE INDEX bridge_request_outbox_name ON bridge_request (outbox_name);

-- Why the batch was refused whole (a symbolic link, an empty file, a document that does not parse to
-- its end, a reused request id ...); shown in its summary and by the status API. Null: not refused.
ALTER TABLE bridge_request ADD COLUMN refused_reason VARCHAR(2000);

-- A document taken in in the background (a POST answered 202 before its records are read): kept
-- here until its intake is complete, leased by the instance reading it, so that a restart or another
-- instance finishes what a stopped one began.
ALTER TABLE bridge_request ADD COLUMN intake_owner VARCHAR(100);
ALTER TABLE bridge_request ADD COLUMN intake_lease_until TIMESTAMP WITH TIME ZONE;
CREATE TABLE bridge_intake_document (
    request_id VARCHAR(200) NOT NULL PRIMARY KEY REFERENCES bridge_request (id),
    document   BYTEA        NOT NULL
);
