CREATE TABLE `account_aliases` (
	`alias` text PRIMARY KEY NOT NULL,
	`account_id` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `account_aliases_account_idx` ON `account_aliases` (`account_id`);--> statement-breakpoint
CREATE TABLE `audit_records` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`occurred_at` text NOT NULL,
	`actor` text,
	`action` text NOT NULL,
	`subject_id` integer NOT NULL,
	`detail` text NOT NULL
);
