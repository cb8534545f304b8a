CREATE TABLE `insight_cache` (
	`scope` text PRIMARY KEY NOT NULL,
	`account_id` integer,
	`input_hash` text NOT NULL,
	`source` text NOT NULL,
	`model` text,
	`answer` text NOT NULL,
	`generated_at` text NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `insight_cache_generated_idx` ON `insight_cache` (`generated_at`);