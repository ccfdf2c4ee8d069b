CREATE TABLE `item_size_counts` (
	`dataset_id` integer NOT NULL,
	`family` text NOT NULL,
	`task` text NOT NULL,
	`instruction_type` text NOT NULL,
	`status` text NOT NULL,
	`source_width` integer NOT NULL,
	`source_height` integer NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`dataset_id`, `family`, `task`, `instruction_type`, `status`, `source_width`, `source_height`)
);
--> statement-breakpoint
CREATE TABLE `item_size_watermark` (
	`id` integer PRIMARY KEY NOT NULL,
	`item_id` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `item_size_watermark` (id, item_id) VALUES (1, 0);
--> statement-breakpoint
-- Keep item_size_counts exact for the items it has counted (id <= the watermark; lib/batches/size-counts.ts
-- counts newer ones before reading it). No insert trigger: a bulk import pays nothing for it.
CREATE TRIGGER `items_size_count_delete` AFTER DELETE ON `items`
WHEN OLD.id <= (SELECT item_id FROM `item_size_watermark` WHERE id = 1)
BEGIN
  UPDATE `item_size_counts` SET n = n - 1
  WHERE dataset_id = OLD.dataset_id AND family = OLD.family AND task = OLD.task AND instruction_type = OLD.instruction_type
    AND status = OLD.status AND source_width = OLD.source_width AND source_height = OLD.source_height;
END;
--> statement-breakpoint
CREATE TRIGGER `items_size_count_update`
AFTER UPDATE OF status, family, task, instruction_type, dataset_id, source_width, source_height ON `items`
WHEN OLD.id <= (SELECT item_id FROM `item_size_watermark` WHERE id = 1)
  AND (OLD.status IS NOT NEW.status OR OLD.family IS NOT NEW.family OR OLD.task IS NOT NEW.task
    OR OLD.instruction_type IS NOT NEW.instruction_type OR OLD.dataset_id IS NOT NEW.dataset_id
    OR OLD.source_width IS NOT NEW.source_width OR OLD.source_height IS NOT NEW.source_height)
BEGIN
  UPDATE `item_size_counts` SET n = n - 1
  WHERE dataset_id = OLD.dataset_id AND family = OLD.family AND task = OLD.task AND instruction_type = OLD.instruction_type
    AND status = OLD.status AND source_width = OLD.source_width AND source_height = OLD.source_height;
  INSERT INTO `item_size_counts` (dataset_id, family, task, instruction_type, status, source_width, source_height, n)
  VALUES (NEW.dataset_id, NEW.family, NEW.task, NEW.instruction_type, NEW.status, NEW.source_width, NEW.source_height, 1)
  ON CONFLICT DO UPDATE SET n = n + 1;
END;
