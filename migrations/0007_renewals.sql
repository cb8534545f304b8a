ALTER TABLE `accounts` ADD `renewal_date` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `renewal_date_as_of` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `owner` text;--> statement-breakpoint
ALTER TABLE `accounts` ADD `owner_as_of` text;--> statement-breakpoint
CREATE INDEX `accounts_renewal_idx` ON `accounts` (`renewal_date`);--> statement-breakpoint
CREATE INDEX `accounts_owner_idx` ON `accounts` ("owner" COLLATE NOCASE);