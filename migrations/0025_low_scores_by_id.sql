DROP INDEX `accounts_low_score_idx`;--> statement-breakpoint
CREATE INDEX `accounts_low_score_idx` ON `accounts` (`health_score`,`id`) WHERE "accounts"."health_score" < 30;