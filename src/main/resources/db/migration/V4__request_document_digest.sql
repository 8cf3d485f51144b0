-- The document a request was submitted with (over HTTP, from a queue or a schedule), as a digest:
-- the same request id coming again with another document is refused, instead of being answered as
-- a replay of the first. Null for requests from dropped files (their derived id carries the file's
-- checksum already) and for requests taken in before this version (nothing to compare with).
-- Portable SQL for H2 2.x and PostgreSQL 13+.
ALTER TABLE bridge_request ADD COLUMN document_digest VARCHAR(64);  -- SHA-256 of the document's bytes, hex
