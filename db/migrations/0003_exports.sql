CREATE TABLE `exports` (
	`id` integer PRIMARY KEY NOT NULL,
	`format` text NOT NULL,
	`filter` text NOT NULL,
	`out_path` text NOT NULL,
	`items` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	`files` integer DEFAULT 0 NOT NULL,
	`bytes` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'running' NOT NULL,
	`error` text,
	`created_by` text NOT NULL,
	`started_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `exports_started` ON `exports` (`started_at`,`id`);