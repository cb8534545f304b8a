CREATE TABLE `figure_cache` (
	`name` text PRIMARY KEY NOT NULL,
	`data_version` integer NOT NULL,
	`body` text NOT NULL,
	`computed_at` text NOT NULL
);
