-- A page's cursor carries the last row's time as JavaScript keeps it, to the millisecond. A
-- time kept to the microsecond fell between rows: the rows after the cursor in its millisecond
-- were never shown. The times are kept to the millisecond (existing ones rounded); the order
-- within a millisecond is by id, as for rows written at the same instant.
--
-- An earlier migration of the same run may have left the response cache's deferred data-version
-- trigger events pending on the table (0004 updates every pipeline row), and Postgres
-- refuses to change a table's definition while they are: they fire now instead of at commit, and
-- so do those of every later statement of the run. Firing, they take the data versions' lock.
-- The table is locked first, as the ALTER would lock it: a writer of the table that waits for
-- that lock at its commit would otherwise hold the table the ALTER waits for.
LOCK TABLE "pairing"."project_pipeline" IN ACCESS EXCLUSIVE MODE;
--> statement-breakpoint
SET CONSTRAINTS ALL IMMEDIATE;
--> statement-breakpoint
ALTER TABLE "pairing"."project_pipeline" ALTER COLUMN "entered_at" SET DATA TYPE timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "pairing"."project_pipeline" ALTER COLUMN "entered_at" SET DEFAULT now();
