-- Rows name people by their immutable user id (users.id), never by username: a username can be
-- changed by an admin, and a name taken over by a new user must not bring the old user's work
-- (see lib/auth/actors.ts). Each "who" column holding a username that matches an account now
-- holds that account's id. Values that match no account (a name from before accounts, a deleted
-- user, `cli:<os user>` labels, model names) are kept as they are: readable labels, shown as written.
UPDATE `verdicts` SET `reviewer` = (SELECT `id` FROM `users` WHERE `username` = `verdicts`.`reviewer`)
  WHERE `reviewer` IN (SELECT `username` FROM `users`);
--> statement-breakpoint
UPDATE `comments` SET `author` = (SELECT `id` FROM `users` WHERE `username` = `comments`.`author`)
  WHERE `author` IN (SELECT `username` FROM `users`);
--> statement-breakpoint
UPDATE `jobs` SET `requested_by` = (SELECT `id` FROM `users` WHERE `username` = `jobs`.`requested_by`)
  WHERE `requested_by` IN (SELECT `username` FROM `users`);
--> statement-breakpoint
UPDATE `batches` SET `created_by` = (SELECT `id` FROM `users` WHERE `username` = `batches`.`created_by`)
  WHERE `created_by` IN (SELECT `username` FROM `users`);
--> statement-breakpoint
-- Exports started from the web recorded `web:<username>`.
UPDATE `exports` SET `created_by` = (SELECT `id` FROM `users` WHERE 'web:' || `username` = `exports`.`created_by`)
  WHERE `created_by` IN (SELECT 'web:' || `username` FROM `users`);
--> statement-breakpoint
UPDATE `gold_items` SET `created_by` = (SELECT `id` FROM `users` WHERE `username` = `gold_items`.`created_by`)
  WHERE `created_by` IN (SELECT `username` FROM `users`);
--> statement-breakpoint
-- A model's rewrite recorded `<model> (asked by <username>)`; the asker is its job's requested_by.
UPDATE `instruction_versions` SET `created_by` = substr(`created_by`, 1, instr(`created_by`, ' (asked by ') - 1)
  WHERE `kind` = 'rewrite' AND instr(`created_by`, ' (asked by ') > 0
    AND EXISTS (SELECT 1 FROM `jobs` j WHERE j.`item_id` = `instruction_versions`.`item_id` AND j.`result_instruction_id` = `instruction_versions`.`id`);
--> statement-breakpoint
UPDATE `instruction_versions` SET `created_by` = (SELECT `id` FROM `users` WHERE `username` = `instruction_versions`.`created_by`)
  WHERE `created_by` IN (SELECT `username` FROM `users`);
--> statement-breakpoint
UPDATE `audit_campaigns` SET `created_by` = (SELECT `id` FROM `users` WHERE `username` = `audit_campaigns`.`created_by`)
  WHERE `created_by` IN (SELECT `username` FROM `users`);
--> statement-breakpoint
UPDATE `audit_results` SET `auditor` = (SELECT `id` FROM `users` WHERE `username` = `audit_results`.`auditor`)
  WHERE `auditor` IN (SELECT `username` FROM `users`);
--> statement-breakpoint
UPDATE `items` SET `lease_reviewer` = (SELECT `id` FROM `users` WHERE `username` = `items`.`lease_reviewer`)
  WHERE `lease_holder` IS NOT NULL AND `lease_reviewer` IN (SELECT `username` FROM `users`);
