CREATE TABLE `candidates` (
	`id` integer PRIMARY KEY NOT NULL,
	`item_id` integer NOT NULL,
	`origin` text NOT NULL,
	`root_id` integer NOT NULL,
	`path` text NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`provenance` text DEFAULT '{}' NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`root_id`) REFERENCES `image_roots`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `candidates_item` ON `candidates` (`item_id`);--> statement-breakpoint
CREATE TABLE `datasets` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `datasets_name_unique` ON `datasets` (`name`);--> statement-breakpoint
CREATE TABLE `image_roots` (
	`id` integer PRIMARY KEY NOT NULL,
	`path` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `image_roots_path_unique` ON `image_roots` (`path`);--> statement-breakpoint
CREATE TABLE `import_runs` (
	`id` integer PRIMARY KEY NOT NULL,
	`dataset_id` integer NOT NULL,
	`path` text NOT NULL,
	`format` text NOT NULL,
	`started_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`finished_at` integer,
	`imported` integer DEFAULT 0 NOT NULL,
	`already_present` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	`problems` text DEFAULT '[]' NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `instruction_versions` (
	`id` integer PRIMARY KEY NOT NULL,
	`item_id` integer NOT NULL,
	`kind` text NOT NULL,
	`text` text NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `instruction_versions_item` ON `instruction_versions` (`item_id`);--> statement-breakpoint
CREATE TABLE `item_counts` (
	`dataset_id` integer NOT NULL,
	`family` text NOT NULL,
	`task` text NOT NULL,
	`instruction_type` text NOT NULL,
	`status` text NOT NULL,
	`n` integer NOT NULL,
	PRIMARY KEY(`dataset_id`, `family`, `task`, `instruction_type`, `status`)
);
--> statement-breakpoint
CREATE TABLE `items` (
	`id` integer PRIMARY KEY NOT NULL,
	`dataset_id` integer NOT NULL,
	`external_id` text NOT NULL,
	`family` text NOT NULL,
	`task` text NOT NULL,
	`instruction_type` text NOT NULL,
	`source_root_id` integer NOT NULL,
	`source_path` text NOT NULL,
	`source_width` integer NOT NULL,
	`source_height` integer NOT NULL,
	`metadata` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`current_instruction_id` integer NOT NULL,
	`current_candidate_id` integer NOT NULL,
	`lease_holder` text,
	`lease_expires_at` integer,
	`import_run_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`source_root_id`) REFERENCES `image_roots`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`import_run_id`) REFERENCES `import_runs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `items_dataset_external` ON `items` (`dataset_id`,`external_id`);--> statement-breakpoint
CREATE INDEX `items_queue` ON `items` (`dataset_id`,`status`,`family`,`task`,`id`);--> statement-breakpoint
CREATE INDEX `items_queue_type` ON `items` (`dataset_id`,`status`,`instruction_type`,`family`,`task`,`id`);--> statement-breakpoint
CREATE INDEX `items_dataset_order` ON `items` (`dataset_id`,`family`,`task`,`id`);--> statement-breakpoint
CREATE INDEX `items_dataset_type_order` ON `items` (`dataset_id`,`instruction_type`,`family`,`task`,`id`);--> statement-breakpoint
CREATE INDEX `items_lease_holder` ON `items` (`lease_holder`) WHERE lease_holder is not null;--> statement-breakpoint
CREATE TABLE `verdicts` (
	`id` integer PRIMARY KEY NOT NULL,
	`item_id` integer NOT NULL,
	`candidate_id` integer,
	`instruction_version_id` integer,
	`reviewer` text NOT NULL,
	`decision` text NOT NULL,
	`reasons` text DEFAULT '[]' NOT NULL,
	`comment` text,
	`ms_spent` integer,
	`undoes_verdict_id` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`instruction_version_id`) REFERENCES `instruction_versions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `verdicts_item` ON `verdicts` (`item_id`,`id`);--> statement-breakpoint
CREATE INDEX `verdicts_reviewer` ON `verdicts` (`reviewer`,`id`);--> statement-breakpoint
CREATE INDEX `verdicts_undoes` ON `verdicts` (`undoes_verdict_id`) WHERE undoes_verdict_id is not null;