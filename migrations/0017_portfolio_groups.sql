CREATE TABLE `book_latest_dates` (
	`date` text PRIMARY KEY NOT NULL,
	`accounts` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `portfolio_groups` (
	`segment` text NOT NULL,
	`region` text NOT NULL,
	`health_bucket` text NOT NULL,
	`engagement_trend_30d` text NOT NULL,
	`accounts` integer NOT NULL,
	`arr_cents` integer NOT NULL,
	`scored_accounts` integer NOT NULL,
	`score_tenths` integer NOT NULL,
	`arr_change_30d_cents` integer NOT NULL,
	`arr_change_90d_cents` integer NOT NULL,
	PRIMARY KEY(`segment`, `region`, `health_bucket`, `engagement_trend_30d`)
);
--> statement-breakpoint
-- The figures of the accounts already stored; from here on every write keeps them (src/db/queries/portfolio-groups.ts).
INSERT INTO `portfolio_groups`
SELECT segment, region, coalesce(health_bucket, ''), coalesce(engagement_trend_30d, ''), count(*),
       sum(CAST(round(arr * 100) AS INTEGER)), count(health_score),
       coalesce(sum(CAST(round(health_score * 10) AS INTEGER)), 0),
       coalesce(sum(CAST(round(arr_change_30d * 100) AS INTEGER)), 0),
       coalesce(sum(CAST(round(arr_change_90d * 100) AS INTEGER)), 0)
FROM `accounts`
GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
INSERT INTO `book_latest_dates`
SELECT latest_metric_date, count(*) FROM `accounts` WHERE latest_metric_date IS NOT NULL GROUP BY 1;
