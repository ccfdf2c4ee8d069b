-- Shared filters (issue 4).
-- Imported scores live in items.metadata JSON: one expression index per score, keyed like the
-- dataset page's score order (dataset, score, id), so a score-sorted or score-ranged page is an
-- index range. lib/review/filter.ts writes exactly these expressions (SQLite matches them textually).
-- Partial: only items that have the score are indexed, so datasets without it pay nothing per row.
CREATE INDEX `items_score_sc_score_1` ON `items` (`dataset_id`, json_extract(`metadata`, '$.sc_score_1'), `id`)
  WHERE json_extract(`metadata`, '$.sc_score_1') IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `items_score_sc_score_2` ON `items` (`dataset_id`, json_extract(`metadata`, '$.sc_score_2'), `id`)
  WHERE json_extract(`metadata`, '$.sc_score_2') IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `items_score_pq_score` ON `items` (`dataset_id`, json_extract(`metadata`, '$.pq_score'), `id`)
  WHERE json_extract(`metadata`, '$.pq_score') IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `items_score_o_score` ON `items` (`dataset_id`, json_extract(`metadata`, '$.o_score'), `id`)
  WHERE json_extract(`metadata`, '$.o_score') IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `items_score_clip_sim_source` ON `items` (`dataset_id`, json_extract(`metadata`, '$.clip_sim_source'), `id`)
  WHERE json_extract(`metadata`, '$.clip_sim_source') IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `items_score_clip_sim_target` ON `items` (`dataset_id`, json_extract(`metadata`, '$.clip_sim_target'), `id`)
  WHERE json_extract(`metadata`, '$.clip_sim_target') IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `items_score_clip_sim_dir` ON `items` (`dataset_id`, json_extract(`metadata`, '$.clip_sim_dir'), `id`)
  WHERE json_extract(`metadata`, '$.clip_sim_dir') IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `items_score_clip_sim_image` ON `items` (`dataset_id`, json_extract(`metadata`, '$.clip_sim_image'), `id`)
  WHERE json_extract(`metadata`, '$.clip_sim_image') IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `items_score_dinov2_sim` ON `items` (`dataset_id`, json_extract(`metadata`, '$.dinov2_sim'), `id`)
  WHERE json_extract(`metadata`, '$.dinov2_sim') IS NOT NULL;
--> statement-breakpoint
CREATE INDEX `items_score_ssim` ON `items` (`dataset_id`, json_extract(`metadata`, '$.ssim'), `id`)
  WHERE json_extract(`metadata`, '$.ssim') IS NOT NULL;
