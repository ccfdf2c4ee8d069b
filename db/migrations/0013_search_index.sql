-- Full-text search of each item's instructions (every version) and input description (lib/search).
-- One row per item, rowid = items.id. Contentless (the text stays in instruction_versions and
-- items.metadata) with delete support, so a new version replaces the item's row. `scope` holds one
-- token per (dataset, family, task) ('s' || search_scopes.id): the dataset page reads one group's
-- matches in id order, which is its page order. detail=column: column filters, no positions.
CREATE VIRTUAL TABLE `search_index` USING fts5(
  instructions, description, scope,
  content = '', contentless_delete = 1, detail = column,
  tokenize = 'unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TABLE `search_scopes` (
  `id` integer PRIMARY KEY NOT NULL,
  `dataset_id` integer NOT NULL,
  `family` text NOT NULL,
  `task` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `search_scopes_key` ON `search_scopes` (`dataset_id`, `family`, `task`);
--> statement-breakpoint
-- The builder's watermark: every item with id <= items_done is indexed (lib/search/build.ts walks
-- items in id order after an import, in short transactions). Items above it are searched by a scan.
CREATE TABLE `search_state` (
  `id` integer PRIMARY KEY NOT NULL CHECK (`id` = 1),
  `items_done` integer NOT NULL
);
--> statement-breakpoint
INSERT INTO `search_state` (`id`, `items_done`) VALUES (1, 0);
--> statement-breakpoint
-- A version added to an indexed item (a rewrite, a reviewer's edit) re-indexes the item at once.
-- Imported items are above the watermark, so a bulk import pays only the WHEN lookup.
-- The document is the one lib/search/document.ts builds (tested there against this trigger).
CREATE TRIGGER `search_version_added` AFTER INSERT ON `instruction_versions`
WHEN NEW.item_id <= (SELECT items_done FROM search_state WHERE id = 1)
BEGIN
  INSERT OR IGNORE INTO search_scopes (dataset_id, family, task)
    SELECT dataset_id, family, task FROM items WHERE id = NEW.item_id;
  DELETE FROM search_index WHERE rowid = NEW.item_id;
  INSERT INTO search_index (rowid, instructions, description, scope)
    SELECT i.id,
      (SELECT group_concat(v.text, char(10) ORDER BY v.id) FROM instruction_versions v WHERE v.item_id = i.id),
      CASE WHEN json_valid(i.metadata) AND json_type(i.metadata, '$.input_description') = 'text'
        THEN json_extract(i.metadata, '$.input_description') ELSE '' END,
      's' || s.id
    FROM items i JOIN search_scopes s ON s.dataset_id = i.dataset_id AND s.family = i.family AND s.task = i.task
    WHERE i.id = NEW.item_id;
END;
--> statement-breakpoint
CREATE TRIGGER `search_item_deleted` AFTER DELETE ON `items`
WHEN OLD.id <= (SELECT items_done FROM search_state WHERE id = 1)
BEGIN
  DELETE FROM search_index WHERE rowid = OLD.id;
END;
