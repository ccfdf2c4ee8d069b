CREATE TABLE `audit_campaigns` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`dataset_id` integer NOT NULL,
	`population` text NOT NULL,
	`sampling` text NOT NULL,
	`seed` integer NOT NULL,
	`blind` integer DEFAULT true NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`population_size` integer DEFAULT 0 NOT NULL,
	`sample_size` integer DEFAULT 0 NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `audit_results` (
	`id` integer PRIMARY KEY NOT NULL,
	`campaign_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`auditor` text NOT NULL,
	`instruction_following` integer NOT NULL,
	`identity_preservation` integer NOT NULL,
	`visual_quality` integer NOT NULL,
	`pass` integer NOT NULL,
	`note` text,
	`ms_spent` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	FOREIGN KEY (`campaign_id`) REFERENCES `audit_campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audit_results_sample` ON `audit_results` (`campaign_id`,`item_id`);--> statement-breakpoint
CREATE TABLE `audit_samples` (
	`campaign_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`candidate_id` integer NOT NULL,
	`stratum` text NOT NULL,
	`stratum_size` integer NOT NULL,
	`position` integer NOT NULL,
	`reviewer_decision` text,
	`lease_holder` text,
	`lease_expires_at` integer,
	PRIMARY KEY(`campaign_id`, `item_id`),
	FOREIGN KEY (`campaign_id`) REFERENCES `audit_campaigns`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `audit_samples_order` ON `audit_samples` (`campaign_id`,`position`);--> statement-breakpoint
CREATE TABLE `signals` (
	`candidate_id` integer NOT NULL,
	`item_id` integer NOT NULL,
	`dataset_id` integer NOT NULL,
	`name` text NOT NULL,
	`value` real,
	`detail` text DEFAULT '{}' NOT NULL,
	`job_id` integer,
	`computed_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	PRIMARY KEY(`candidate_id`, `name`),
	FOREIGN KEY (`candidate_id`) REFERENCES `candidates`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`dataset_id`) REFERENCES `datasets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `signals_rank` ON `signals` (`dataset_id`,`name`,`value`,`item_id`);--> statement-breakpoint
CREATE INDEX `signals_item` ON `signals` (`item_id`,`name`);