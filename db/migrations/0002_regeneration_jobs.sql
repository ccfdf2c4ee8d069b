CREATE TABLE `batches` (
	`id` integer PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`filter` text NOT NULL,
	`budget_usd` real NOT NULL,
	`estimated_usd` real NOT NULL,
	`total` integer NOT NULL,
	`status` text DEFAULT 'running' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`item_id` integer NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`params` text DEFAULT '{}' NOT NULL,
	`batch_id` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`run_after` integer DEFAULT 0 NOT NULL,
	`locked_by` text,
	`locked_until` integer,
	`cancel_requested` integer DEFAULT false NOT NULL,
	`error` text,
	`result_candidate_id` integer,
	`result_instruction_id` integer,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`requested_by` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `jobs_runnable` ON `jobs` (`status`,`run_after`,`id`);--> statement-breakpoint
CREATE INDEX `jobs_status` ON `jobs` (`status`,`id`);--> statement-breakpoint
CREATE INDEX `jobs_item` ON `jobs` (`item_id`,`status`);--> statement-breakpoint
CREATE INDEX `jobs_batch` ON `jobs` (`batch_id`,`status`);--> statement-breakpoint
ALTER TABLE `candidates` ADD `source_root_id` integer REFERENCES image_roots(id);--> statement-breakpoint
ALTER TABLE `candidates` ADD `source_path` text;--> statement-breakpoint
ALTER TABLE `candidates` ADD `source_width` integer;--> statement-breakpoint
ALTER TABLE `candidates` ADD `source_height` integer;--> statement-breakpoint
ALTER TABLE `candidates` ADD `job_id` integer;--> statement-breakpoint
ALTER TABLE `candidates` ADD `simulated` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `candidates` ADD `padding_ok` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `candidates_job` ON `candidates` (`job_id`) WHERE job_id is not null;