CREATE TABLE `health_models` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`version` integer NOT NULL,
	`document` text,
	`status` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`created_by` text,
	`activated_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `health_models_one_active_idx` ON `health_models` (`status`) WHERE status = 'active';
--> statement-breakpoint
-- Model 1: the formula the configuration defines, active from the start; its document is the configuration's.
INSERT INTO `health_models` (`id`, `name`, `version`, `document`, `status`, `created_by`, `activated_at`)
VALUES (1, 'Configured formula', 1, NULL, 'active', NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
