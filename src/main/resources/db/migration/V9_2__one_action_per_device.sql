-- One two-step action per device at a time, across requests, triggers and bridge instances on one
-- ledger. Portable SQL for H2 2.x and PostgreSQL 13+.

-- Which command holds each device: taken when a command's first call (its create) is claimed, held
-- until the command is final. A row whose command is final (or gone with the retention) is free:
-- the next command of the device takes it over. The primary key makes taking it one atomic write,
-- whichever instance tries first. One row per device ever acted on, nothing else.
CREATE TABLE bridge_device_slot (
    kind        VARCHAR(20)  NOT NULL,
    device      VARCHAR(200) NOT NULL,
    command_id  VARCHAR(64)  NOT NULL,
    PRIMARY KEY (kind, device)
);

-- A device's commands by age: "is there a newer document for this device?" when a create is claimed
-- (one probe from the command's own age on), and the commands waiting for a device that just got
-- free (woken at once instead of at their next look).
CREATE INDEX bridge_command_device ON bridge_command (kind, device, created_at);
