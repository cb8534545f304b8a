CREATE TABLE `account_health` (
	`account_id` integer PRIMARY KEY NOT NULL,
	`components` text,
	`trend_30d` text,
	`trend_60d` text,
	`trend_90d` text,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `accounts` ADD `arr_change_30d` real;--> statement-breakpoint
ALTER TABLE `accounts` ADD `arr_change_90d` real;--> statement-breakpoint
ALTER TABLE `accounts` ADD `engagement_trend_30d` text;--> statement-breakpoint
CREATE INDEX `accounts_portfolio_idx` ON `accounts` (`segment`,`region`,`health_bucket`,`engagement_trend_30d`,`arr`,`health_score`,`arr_change_30d`,`arr_change_90d`,`latest_metric_date`);--> statement-breakpoint
-- Hand-added: keep the stored health explanations and trends of existing accounts before their columns go.
INSERT INTO `account_health` (`account_id`, `components`, `trend_30d`, `trend_60d`, `trend_90d`)
SELECT `id`, `health_components`, `trend_30d`, `trend_60d`, `trend_90d` FROM `accounts`
WHERE `health_components` IS NOT NULL OR `trend_30d` IS NOT NULL OR `trend_60d` IS NOT NULL OR `trend_90d` IS NOT NULL;--> statement-breakpoint
UPDATE `accounts` SET `arr_change_30d` = json_extract(`trend_30d`, '$.arr_change'),
  `arr_change_90d` = json_extract(`trend_90d`, '$.arr_change'),
  `engagement_trend_30d` = json_extract(`trend_30d`, '$.engagement_trend');--> statement-breakpoint
ALTER TABLE `accounts` DROP COLUMN `health_components`;--> statement-breakpoint
ALTER TABLE `accounts` DROP COLUMN `trend_30d`;--> statement-breakpoint
ALTER TABLE `accounts` DROP COLUMN `trend_60d`;--> statement-breakpoint
ALTER TABLE `accounts` DROP COLUMN `trend_90d`;