CREATE TABLE `account_counts` (
	`grouping` integer NOT NULL,
	`segment` text NOT NULL,
	`region` text NOT NULL,
	`health_bucket` text NOT NULL,
	`accounts` integer NOT NULL,
	PRIMARY KEY(`grouping`, `segment`, `region`, `health_bucket`)
);
--> statement-breakpoint
-- The counts of the accounts already stored, under each of the eight groupings; from here on every write keeps them.
INSERT INTO `account_counts`
SELECT g.value,
       CASE WHEN g.value & 1 THEN segment ELSE '' END,
       CASE WHEN g.value & 2 THEN region ELSE '' END,
       CASE WHEN g.value & 4 THEN coalesce(health_bucket, '') ELSE '' END,
       count(*)
FROM `accounts` CROSS JOIN json_each('[0, 1, 2, 3, 4, 5, 6, 7]') AS g
GROUP BY 1, 2, 3, 4;
