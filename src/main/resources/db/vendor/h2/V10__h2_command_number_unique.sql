-- On H2 a foreign key must name a unique constraint, and an index alone is not one: the constraint
-- the next migration's foreign keys refer to. It takes the unique index on list_no that V9 made
-- (bridge_command_list), no second index. PostgreSQL accepts the unique index as it is.
ALTER TABLE bridge_command ADD CONSTRAINT bridge_command_number UNIQUE (list_no);
