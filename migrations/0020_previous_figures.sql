ALTER TABLE `accounts` ADD `prev_arr` real;--> statement-breakpoint
ALTER TABLE `accounts` ADD `prev_latest_metric_date` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `prev_engagement_trend_30d` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `prev_arr_change_30d` real;--> statement-breakpoint
ALTER TABLE `accounts` ADD `prev_arr_change_90d` real;