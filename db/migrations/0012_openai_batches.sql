CREATE TABLE `openai_batch_driver` (
	`id` integer PRIMARY KEY NOT NULL,
	`holder` text NOT NULL,
	`locked_until` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `openai_batches` (
	`id` integer PRIMARY KEY NOT NULL,
	`batch_id` integer NOT NULL,
	`kind` text NOT NULL,
	`endpoint` text NOT NULL,
	`state` text DEFAULT 'preparing' NOT NULL,
	`remote_status` text,
	`jobs` integer DEFAULT 0 NOT NULL,
	`input_bytes` integer DEFAULT 0 NOT NULL,
	`input_file_id` text,
	`remote_id` text,
	`output_file_id` text,
	`error_file_id` text,
	`error` text,
	`poll_failures` integer DEFAULT 0 NOT NULL,
	`next_poll_at` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`submitted_at` integer,
	`ended_at` integer,
	FOREIGN KEY (`batch_id`) REFERENCES `batches`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `openai_batches_state` ON `openai_batches` (`state`,`id`);--> statement-breakpoint
ALTER TABLE `batches` ADD `via` text DEFAULT 'sync' NOT NULL;--> statement-breakpoint
ALTER TABLE `batches` ADD `path` text DEFAULT 'sync' NOT NULL;--> statement-breakpoint
ALTER TABLE `jobs` ADD `openai_batch_id` integer;