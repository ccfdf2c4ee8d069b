-- The dashboard's first call without counting (lib/dashboard): verdict_day_counts kept by triggers, jobs_kind_status
-- covering spent_usd too (regenerationSummary reads the index alone), and the regenerated candidates' padding
-- checks from a partial index.
CREATE TABLE `verdict_day_counts` (
	`dataset_id` integer NOT NULL,
	`day` integer NOT NULL,
	`accept` integer NOT NULL,
	`reject` integer NOT NULL,
	`skip` integer NOT NULL,
	PRIMARY KEY(`dataset_id`, `day`)
);
--> statement-breakpoint
DROP INDEX IF EXISTS `jobs_kind_status`;--> statement-breakpoint
CREATE INDEX `jobs_kind_status` ON `jobs` (`kind`,`status`,`cost_usd`,`spent_usd`);--> statement-breakpoint
CREATE INDEX `candidates_regenerated` ON `candidates` (`origin`,`padding_ok`) WHERE job_id is not null;
--> statement-breakpoint
-- Keep verdict_day_counts exact: a review verdict (accept, reject, skip) adds one to its item's dataset
-- and its UTC day; an undo row takes it off again (the first undo of a verdict only). Same transaction as
-- the verdict, so the counts never drift. Rows are never updated (db/schema.ts); deletes are counted too.
CREATE TRIGGER `verdict_day_count_insert` AFTER INSERT ON `verdicts`
WHEN NEW.kind = 'review' AND NEW.decision IN ('accept', 'reject', 'skip')
BEGIN
  INSERT INTO `verdict_day_counts` (dataset_id, day, accept, reject, skip)
  SELECT dataset_id, NEW.created_at / 86400000 * 86400000, NEW.decision = 'accept', NEW.decision = 'reject', NEW.decision = 'skip'
  FROM `items` WHERE id = NEW.item_id
  ON CONFLICT DO UPDATE SET accept = accept + excluded.accept, reject = reject + excluded.reject, skip = skip + excluded.skip;
END;
--> statement-breakpoint
CREATE TRIGGER `verdict_day_count_undo` AFTER INSERT ON `verdicts`
WHEN NEW.undoes_verdict_id IS NOT NULL
BEGIN
  UPDATE `verdict_day_counts`
  SET accept = accept - (u.decision = 'accept'), reject = reject - (u.decision = 'reject'), skip = skip - (u.decision = 'skip')
  FROM (SELECT i.dataset_id, v.created_at / 86400000 * 86400000 AS day, v.decision
        FROM `verdicts` v JOIN `items` i ON i.id = v.item_id
        WHERE v.id = NEW.undoes_verdict_id AND v.kind = 'review' AND v.decision IN ('accept', 'reject', 'skip')
          AND NOT EXISTS (SELECT 1 FROM `verdicts` o WHERE o.undoes_verdict_id = v.id AND o.id != NEW.id)) AS u
  WHERE verdict_day_counts.dataset_id = u.dataset_id AND verdict_day_counts.day = u.day;
END;
--> statement-breakpoint
CREATE TRIGGER `verdict_day_count_delete` AFTER DELETE ON `verdicts`
WHEN OLD.kind = 'review' AND OLD.decision IN ('accept', 'reject', 'skip')
  AND NOT EXISTS (SELECT 1 FROM `verdicts` o WHERE o.undoes_verdict_id = OLD.id)
BEGIN
  UPDATE `verdict_day_counts`
  SET accept = accept - (OLD.decision = 'accept'), reject = reject - (OLD.decision = 'reject'), skip = skip - (OLD.decision = 'skip')
  WHERE dataset_id = (SELECT dataset_id FROM `items` WHERE id = OLD.item_id) AND day = OLD.created_at / 86400000 * 86400000;
END;
--> statement-breakpoint
CREATE TRIGGER `verdict_day_count_undo_delete` AFTER DELETE ON `verdicts`
WHEN OLD.undoes_verdict_id IS NOT NULL
BEGIN
  UPDATE `verdict_day_counts`
  SET accept = accept + (u.decision = 'accept'), reject = reject + (u.decision = 'reject'), skip = skip + (u.decision = 'skip')
  FROM (SELECT i.dataset_id, v.created_at / 86400000 * 86400000 AS day, v.decision
        FROM `verdicts` v JOIN `items` i ON i.id = v.item_id
        WHERE v.id = OLD.undoes_verdict_id AND v.kind = 'review' AND v.decision IN ('accept', 'reject', 'skip')
          AND NOT EXISTS (SELECT 1 FROM `verdicts` o WHERE o.undoes_verdict_id = v.id)) AS u
  WHERE verdict_day_counts.dataset_id = u.dataset_id AND verdict_day_counts.day = u.day;
END;
--> statement-breakpoint
-- The verdicts recorded so far (one pass at migration: ~1.5M verdicts at the release's size).
INSERT INTO `verdict_day_counts` (dataset_id, day, accept, reject, skip)
SELECT i.dataset_id, v.created_at / 86400000 * 86400000 AS day, count(*) FILTER (WHERE v.decision = 'accept'),
  count(*) FILTER (WHERE v.decision = 'reject'), count(*) FILTER (WHERE v.decision = 'skip')
FROM `verdicts` v JOIN `items` i ON i.id = v.item_id
WHERE v.kind = 'review' AND v.decision IN ('accept', 'reject', 'skip')
  AND NOT EXISTS (SELECT 1 FROM `verdicts` o WHERE o.undoes_verdict_id = v.id)
GROUP BY 1, 2;
