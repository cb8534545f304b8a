CREATE TABLE `renewal_figures` (
	`renewal_date` text NOT NULL,
	`health_bucket` text NOT NULL,
	`accounts` integer NOT NULL,
	`arr_cents` integer NOT NULL,
	PRIMARY KEY(`renewal_date`, `health_bucket`)
);
--> statement-breakpoint
-- The renewals of the accounts already stored; from here on every write keeps them (src/db/queries/book-figures.ts).
INSERT INTO `renewal_figures`
SELECT renewal_date, coalesce(health_bucket, ''), count(*), sum(CAST(round(arr * 100) AS INTEGER))
FROM `accounts` WHERE renewal_date IS NOT NULL GROUP BY 1, 2;
