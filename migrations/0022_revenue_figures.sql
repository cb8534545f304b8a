CREATE TABLE `revenue_figures` (
	`days` integer NOT NULL,
	`segment` text NOT NULL,
	`movement` text NOT NULL,
	`accounts` integer NOT NULL,
	`start_arr` real NOT NULL,
	`end_arr` real NOT NULL,
	PRIMARY KEY(`days`, `segment`, `movement`)
);
--> statement-breakpoint
CREATE TABLE `revenue_movers` (
	`days` integer NOT NULL,
	`movement` text NOT NULL,
	`place` integer NOT NULL,
	`account_id` integer,
	`account_name` text,
	`segment` text,
	`start_arr` real,
	`end_arr` real,
	PRIMARY KEY(`days`, `movement`, `place`)
);
--> statement-breakpoint
CREATE TABLE `revenue_state` (
	`id` integer PRIMARY KEY NOT NULL,
	`stale` integer NOT NULL,
	`as_of` text
);
--> statement-breakpoint
-- Stale until the first upload after this migration refreshes them: until then a read computes the statement itself.
INSERT INTO `revenue_state` (`id`, `stale`, `as_of`) VALUES (1, 1, NULL);
