CREATE INDEX `jobs_kind_status` ON `jobs` (`kind`,`status`,`cost_usd`);--> statement-breakpoint
CREATE INDEX `signals_candidate` ON `signals` (`dataset_id`,`name`,`item_id`,`candidate_id`,`value`);