-- A device's slot (bridge_device_slot) now goes when the command holding it is final, instead of
-- staying as a free row for every device ever acted on. The free rows an older bridge left go here.
-- Portable SQL for H2 2.x and PostgreSQL 13+.
DELETE FROM bridge_device_slot
WHERE NOT EXISTS (SELECT 1 FROM bridge_command c WHERE c.id = bridge_device_slot.command_id AND c.finished_at IS NULL);
