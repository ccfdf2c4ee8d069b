-- Keep item_counts exact: one row per (dataset, family, task, instruction type, status).
-- Inserts are counted by the importer once per batch (lib/import/batch-writer.ts): a trigger
-- per inserted row doubled the cost of a bulk import. Updates and deletes are counted here.
CREATE TRIGGER `items_count_delete` AFTER DELETE ON `items` BEGIN
  UPDATE `item_counts` SET n = n - 1
  WHERE dataset_id = OLD.dataset_id AND family = OLD.family AND task = OLD.task
    AND instruction_type = OLD.instruction_type AND status = OLD.status;
END;
--> statement-breakpoint
CREATE TRIGGER `items_count_update` AFTER UPDATE OF status, family, task, instruction_type, dataset_id ON `items`
WHEN OLD.status IS NOT NEW.status OR OLD.family IS NOT NEW.family OR OLD.task IS NOT NEW.task
  OR OLD.instruction_type IS NOT NEW.instruction_type OR OLD.dataset_id IS NOT NEW.dataset_id
BEGIN
  UPDATE `item_counts` SET n = n - 1
  WHERE dataset_id = OLD.dataset_id AND family = OLD.family AND task = OLD.task
    AND instruction_type = OLD.instruction_type AND status = OLD.status;
  INSERT INTO `item_counts` (dataset_id, family, task, instruction_type, status, n)
  VALUES (NEW.dataset_id, NEW.family, NEW.task, NEW.instruction_type, NEW.status, 1)
  ON CONFLICT DO UPDATE SET n = n + 1;
END;
