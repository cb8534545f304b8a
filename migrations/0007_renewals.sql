ALTER TABLE `account_metrics` ADD `renewal_date` text;--> statement-breakpoint
ALTER TABLE `account_metrics` ADD `owner` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `renewal_date` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `owner` text;--> statement-breakpoint
CREATE INDEX `accounts_renewal_idx` ON `accounts` (`renewal_date`);--> statement-breakpoint
CREATE INDEX `accounts_owner_idx` ON `accounts` ("owner" COLLATE NOCASE);
