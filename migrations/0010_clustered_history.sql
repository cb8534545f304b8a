-- The health explanation moves onto the account row, so a rescore writes one row per account instead of two.
UPDATE `accounts`
SET `health_components` = (SELECT h.`components` FROM `account_health` AS h WHERE h.`account_id` = `accounts`.`id`),
    `trend_30d` = (SELECT h.`trend_30d` FROM `account_health` AS h WHERE h.`account_id` = `accounts`.`id`),
    `trend_60d` = (SELECT h.`trend_60d` FROM `account_health` AS h WHERE h.`account_id` = `accounts`.`id`),
    `trend_90d` = (SELECT h.`trend_90d` FROM `account_health` AS h WHERE h.`account_id` = `accounts`.`id`);
--> statement-breakpoint
DROP TABLE `account_health`;
--> statement-breakpoint
-- account_metrics and health_scores become WITHOUT ROWID tables clustered on (account_id, date): an account's days
-- sit together on disk, and a new row is one b-tree entry (D1 bills one row written, not a row plus its key index).
-- drizzle-kit cannot declare WITHOUT ROWID, so the rebuild is written here; the columns are those of the schema.
CREATE TABLE `account_metrics_clustered` (
	`account_id` integer NOT NULL,
	`date` text NOT NULL,
	`daily_active_users` integer NOT NULL,
	`feature_adoption_rate` real NOT NULL,
	`support_tickets_open` integer NOT NULL,
	`nps_score` real,
	`login_frequency` real NOT NULL,
	`arr` real NOT NULL,
	`renewal_date` text,
	`owner` text,
	`ingest_run_id` integer,
	PRIMARY KEY(`account_id`, `date`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `account_metrics_clustered` SELECT `account_id`, `date`, `daily_active_users`, `feature_adoption_rate`,
  `support_tickets_open`, `nps_score`, `login_frequency`, `arr`, `renewal_date`, `owner`, `ingest_run_id`
  FROM `account_metrics`;
--> statement-breakpoint
DROP TABLE `account_metrics`;
--> statement-breakpoint
ALTER TABLE `account_metrics_clustered` RENAME TO `account_metrics`;
--> statement-breakpoint
CREATE TABLE `health_scores_clustered` (
	`account_id` integer NOT NULL,
	`date` text NOT NULL,
	`score` real NOT NULL,
	`bucket` text NOT NULL,
	`dau_points` real NOT NULL,
	`adoption_points` real NOT NULL,
	`tickets_points` real NOT NULL,
	`nps_points` real,
	`login_points` real NOT NULL,
	`nps_source` text NOT NULL,
	`computed_at` text NOT NULL,
	PRIMARY KEY(`account_id`, `date`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `health_scores_clustered` SELECT `account_id`, `date`, `score`, `bucket`, `dau_points`, `adoption_points`,
  `tickets_points`, `nps_points`, `login_points`, `nps_source`, `computed_at` FROM `health_scores`;
--> statement-breakpoint
DROP TABLE `health_scores`;
--> statement-breakpoint
ALTER TABLE `health_scores_clustered` RENAME TO `health_scores`;
