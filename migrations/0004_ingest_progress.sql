ALTER TABLE `ingest_runs` ADD `rows_committed` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `ingest_runs` ADD `committed_through_line` integer;