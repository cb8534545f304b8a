-- health_scores loses its foreign key to accounts. Nothing indexes account_id alone (the table is clustered on (date,
-- account_id) so a daily delta's scores are appended together), so deleting an account made SQLite scan every score of
-- the book to cascade the delete: an erasure read two rows per score of the book. The erasure now deletes the
-- account's scores itself, a probe per date. drizzle-kit cannot declare WITHOUT ROWID, so the rebuild is written here,
-- as 0013's was; the columns are those of the schema.
CREATE TABLE `health_scores_without_key` (
	`account_id` integer NOT NULL,
	`date` text NOT NULL,
	`score` real NOT NULL,
	`bucket` text NOT NULL,
	`model_id` integer DEFAULT 1 NOT NULL,
	`dau_points` real,
	`adoption_points` real,
	`tickets_points` real,
	`nps_points` real,
	`login_points` real,
	`points_5` real,
	`points_6` real,
	`points_7` real,
	`points_8` real,
	`points_9` real,
	`points_10` real,
	`points_11` real,
	`nps_source` text,
	`computed_at` text NOT NULL,
	PRIMARY KEY(`date`, `account_id`)
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `health_scores_without_key` SELECT `account_id`, `date`, `score`, `bucket`, `model_id`, `dau_points`,
  `adoption_points`, `tickets_points`, `nps_points`, `login_points`, `points_5`, `points_6`, `points_7`, `points_8`,
  `points_9`, `points_10`, `points_11`, `nps_source`, `computed_at` FROM `health_scores` ORDER BY `date`, `account_id`;
--> statement-breakpoint
DROP TABLE `health_scores`;
--> statement-breakpoint
ALTER TABLE `health_scores_without_key` RENAME TO `health_scores`;
