-- health_scores is clustered on (date, account_id) instead of (account_id, date): a daily delta's new scores, one per
-- account on the same date, land together at the end of the table, where before each went to a page of its account's
-- history (a page written per account). Its readers look a score up by its full key, or read the account's dates from
-- account_metrics, which has a score for each of them. drizzle-kit cannot declare WITHOUT ROWID, so the rebuild is
-- written here; the columns are those of the schema.
CREATE TABLE `health_scores_by_date` (
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
	PRIMARY KEY(`date`, `account_id`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `health_scores_by_date` SELECT `account_id`, `date`, `score`, `bucket`, `dau_points`, `adoption_points`,
  `tickets_points`, `nps_points`, `login_points`, `nps_source`, `computed_at` FROM `health_scores`
  ORDER BY `date`, `account_id`;
--> statement-breakpoint
DROP TABLE `health_scores`;
--> statement-breakpoint
ALTER TABLE `health_scores_by_date` RENAME TO `health_scores`;
