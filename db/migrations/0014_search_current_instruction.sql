-- The search index holds each item's current instruction (no longer every version) and its input
-- description: an edit or a rewrite replaces the words an item is found by. An indexed item is
-- re-indexed when its current instruction changes (a reviewer's edit, a rewrite job); a version's
-- insert no longer does it (the item does not point at the version yet then). Imports insert items
-- with their current instruction set, so they fire nothing. The index is emptied and the builder
-- (lib/search/build.ts) starts again from the first item; searches scan meanwhile.
DROP TRIGGER `search_version_added`;
--> statement-breakpoint
CREATE TRIGGER `search_instruction_changed` AFTER UPDATE OF `current_instruction_id` ON `items`
WHEN NEW.id <= (SELECT items_done FROM search_state WHERE id = 1)
  AND NEW.current_instruction_id IS NOT OLD.current_instruction_id
BEGIN
  INSERT OR IGNORE INTO search_scopes (dataset_id, family, task) VALUES (NEW.dataset_id, NEW.family, NEW.task);
  DELETE FROM search_index WHERE rowid = NEW.id;
  INSERT INTO search_index (rowid, instructions, description, scope)
    SELECT NEW.id,
      coalesce((SELECT v.text FROM instruction_versions v WHERE v.id = NEW.current_instruction_id), ''),
      CASE WHEN json_valid(NEW.metadata) AND json_type(NEW.metadata, '$.input_description') = 'text'
        THEN json_extract(NEW.metadata, '$.input_description') ELSE '' END,
      's' || s.id
    FROM search_scopes s WHERE s.dataset_id = NEW.dataset_id AND s.family = NEW.family AND s.task = NEW.task;
END;
--> statement-breakpoint
INSERT INTO `search_index` (`search_index`) VALUES ('delete-all');
--> statement-breakpoint
UPDATE `search_state` SET `items_done` = 0 WHERE `id` = 1;
