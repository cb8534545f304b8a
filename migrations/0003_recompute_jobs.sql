CREATE TABLE `recompute_job_chunks` (
	`job_id` integer NOT NULL,
	`chunk` integer NOT NULL,
	`accounts_updated` integer NOT NULL,
	`scores_written` integer NOT NULL,
	`finished_at` text NOT NULL,
	PRIMARY KEY(`job_id`, `chunk`),
	FOREIGN KEY (`job_id`) REFERENCES `recompute_jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `recompute_jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`trigger` text NOT NULL,
	`status` text NOT NULL,
	`accounts_total` integer NOT NULL,
	`chunks_total` integer NOT NULL,
	`chunks_done` integer DEFAULT 0 NOT NULL,
	`accounts_updated` integer DEFAULT 0 NOT NULL,
	`scores_written` integer DEFAULT 0 NOT NULL,
	`error` text,
	`created_at` text NOT NULL,
	`finished_at` text
);
--> statement-breakpoint
CREATE INDEX `recompute_jobs_created_idx` ON `recompute_jobs` (`created_at`);