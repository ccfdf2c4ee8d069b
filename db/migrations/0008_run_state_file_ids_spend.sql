ALTER TABLE `candidates` ADD `file_id` text;--> statement-breakpoint
ALTER TABLE `candidates` ADD `source_file_id` text;--> statement-breakpoint
ALTER TABLE `exports` ADD `host` text;--> statement-breakpoint
ALTER TABLE `exports` ADD `pid` integer;--> statement-breakpoint
ALTER TABLE `import_runs` ADD `status` text DEFAULT 'running' NOT NULL;--> statement-breakpoint
ALTER TABLE `import_runs` ADD `host` text;--> statement-breakpoint
ALTER TABLE `import_runs` ADD `pid` integer;--> statement-breakpoint
ALTER TABLE `items` ADD `source_file_id` text;--> statement-breakpoint
ALTER TABLE `jobs` ADD `spent_usd` real DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Runs recorded before this migration: finished ones are done, the rest were cut off.
UPDATE `import_runs` SET `status` = CASE WHEN `finished_at` IS NULL THEN 'interrupted' ELSE 'done' END;--> statement-breakpoint
UPDATE `exports` SET `status` = 'interrupted' WHERE `status` = 'running';--> statement-breakpoint
-- Spend as batches counted it until now: succeeded and running jobs.
UPDATE `jobs` SET `spent_usd` = `cost_usd` WHERE `status` IN ('succeeded', 'running');
