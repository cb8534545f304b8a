CREATE TABLE `pending_rescores` (
	`id` integer PRIMARY KEY NOT NULL,
	`ingest_run_id` integer NOT NULL,
	`ranges` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
DROP INDEX `accounts_bucket_score_idx`;--> statement-breakpoint
DROP INDEX `accounts_score_idx`;--> statement-breakpoint
DROP INDEX `accounts_arr_idx`;--> statement-breakpoint
DROP INDEX `accounts_change_30d_idx`;--> statement-breakpoint
DROP INDEX `accounts_stale_idx`;--> statement-breakpoint
DROP INDEX `accounts_portfolio_idx`;--> statement-breakpoint
ALTER TABLE `accounts` ADD `health_components` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `trend_30d` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `trend_60d` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `trend_90d` text;