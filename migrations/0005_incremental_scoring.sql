CREATE TABLE `scoring_config` (
	`id` integer PRIMARY KEY NOT NULL,
	`fingerprint` text NOT NULL,
	`applied_at` text NOT NULL
);
--> statement-breakpoint
ALTER TABLE `accounts` ADD `scores_stale_from` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `scores_stale_to` text;--> statement-breakpoint
CREATE INDEX `accounts_stale_idx` ON `accounts` (`scores_stale_from`) WHERE "accounts"."scores_stale_from" IS NOT NULL;--> statement-breakpoint
ALTER TABLE `ingest_runs` ADD `scores_written` integer;--> statement-breakpoint
ALTER TABLE `ingest_runs` ADD `rescored_accounts` integer;--> statement-breakpoint
ALTER TABLE `ingest_runs` ADD `rescored_dates` integer;