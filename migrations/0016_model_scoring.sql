-- Custom measures: declared here, their values stored with each metric row (account_metrics.measures, JSON).
CREATE TABLE `measures` (
	`name` text PRIMARY KEY NOT NULL,
	`description` text NOT NULL,
	`min` real NOT NULL,
	`max` real NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`created_by` text
);
--> statement-breakpoint
-- Every score records the model that computed it and its components' points by position: model 1's five in the five
-- columns they always had, a model's components 6-12 in points_5 … points_11, each nullable (a component without data,
-- or a model with fewer); nps_source is null under a model without an NPS component. The table stays WITHOUT ROWID
-- and clustered on (date, account_id), which drizzle-kit cannot declare (see 0013), so the rebuild is written here;
-- every stored score was computed by model 1.
CREATE TABLE `health_scores_with_model` (
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
	PRIMARY KEY(`date`, `account_id`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `health_scores_with_model` (`account_id`, `date`, `score`, `bucket`, `model_id`, `dau_points`,
  `adoption_points`, `tickets_points`, `nps_points`, `login_points`, `nps_source`, `computed_at`)
  SELECT `account_id`, `date`, `score`, `bucket`, 1, `dau_points`, `adoption_points`, `tickets_points`, `nps_points`,
         `login_points`, `nps_source`, `computed_at`
  FROM `health_scores` ORDER BY `date`, `account_id`;
--> statement-breakpoint
DROP TABLE `health_scores`;
--> statement-breakpoint
ALTER TABLE `health_scores_with_model` RENAME TO `health_scores`;
--> statement-breakpoint
ALTER TABLE `account_metrics` ADD `measures` text;
--> statement-breakpoint
ALTER TABLE `accounts` ADD `stale_model_change` integer;
--> statement-breakpoint
ALTER TABLE `accounts` ADD `last_rescore_model_change` integer;
--> statement-breakpoint
ALTER TABLE `health_models` ADD `replaced_model_id` integer;
