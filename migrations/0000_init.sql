CREATE TABLE `account_metrics` (
	`account_id` integer NOT NULL,
	`date` text NOT NULL,
	`daily_active_users` integer NOT NULL,
	`feature_adoption_rate` real NOT NULL,
	`support_tickets_open` integer NOT NULL,
	`nps_score` real,
	`login_frequency` real NOT NULL,
	`arr` real NOT NULL,
	`ingest_run_id` integer,
	PRIMARY KEY(`account_id`, `date`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `accounts` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`account_name` text NOT NULL,
	`segment` text NOT NULL,
	`region` text NOT NULL,
	`arr` real NOT NULL,
	`latest_metric_date` text,
	`health_score` real,
	`health_bucket` text,
	`health_components` text,
	`health_change_30d` real,
	`trend_30d` text,
	`trend_60d` text,
	`trend_90d` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `accounts_account_name_unique` ON `accounts` (`account_name`);--> statement-breakpoint
CREATE INDEX `accounts_segment_idx` ON `accounts` (`segment`);--> statement-breakpoint
CREATE INDEX `accounts_region_idx` ON `accounts` (`region`);--> statement-breakpoint
CREATE INDEX `accounts_bucket_score_idx` ON `accounts` (`health_bucket`,`health_score`);--> statement-breakpoint
CREATE INDEX `accounts_score_idx` ON `accounts` (`health_score`);--> statement-breakpoint
CREATE INDEX `accounts_arr_idx` ON `accounts` (`arr`);--> statement-breakpoint
CREATE INDEX `accounts_change_30d_idx` ON `accounts` (`health_change_30d`);--> statement-breakpoint
CREATE TABLE `health_scores` (
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
);
--> statement-breakpoint
CREATE TABLE `ingest_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`file_name` text,
	`content_type` text,
	`status` text NOT NULL,
	`bytes_read` integer DEFAULT 0 NOT NULL,
	`rows_total` integer DEFAULT 0 NOT NULL,
	`rows_rejected` integer DEFAULT 0 NOT NULL,
	`accounts_created` integer DEFAULT 0 NOT NULL,
	`accounts_updated` integer DEFAULT 0 NOT NULL,
	`metrics_created` integer DEFAULT 0 NOT NULL,
	`metrics_updated` integer DEFAULT 0 NOT NULL,
	`errors` text,
	`failure_reason` text,
	`started_at` text NOT NULL,
	`finished_at` text,
	`duration_ms` integer
);
--> statement-breakpoint
CREATE INDEX `ingest_runs_started_idx` ON `ingest_runs` (`started_at`);