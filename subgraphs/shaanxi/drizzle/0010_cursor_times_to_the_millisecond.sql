-- A page's cursor carries the last row's time as JavaScript keeps it, to the millisecond. A
-- time kept to the microsecond fell between rows: the rows after the cursor in its millisecond
-- were never shown. The times are kept to the millisecond (existing ones rounded); the order
-- within a millisecond is by id, as for rows written at the same instant. The lists' pages,
-- newest first, then start from an index on (created_at, id), as the pipeline's do.
--
-- An earlier migration of the same run may have left the response cache's deferred data-version
-- trigger events pending on the table (0007 publishes the public record's needs), and Postgres
-- refuses to change a table's definition while they are: they fire now instead of at commit, and
-- so do those of every later statement of the run. Firing, they take the data versions' lock.
-- The table is locked first, as the ALTER would lock it: a writer of the table that waits for
-- that lock at its commit would otherwise hold the table the ALTER waits for.
LOCK TABLE "shaanxi"."project_need" IN ACCESS EXCLUSIVE MODE;
--> statement-breakpoint
SET CONSTRAINTS ALL IMMEDIATE;
--> statement-breakpoint
ALTER TABLE "shaanxi"."project_need" ALTER COLUMN "created_at" SET DATA TYPE timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "shaanxi"."project_need" ALTER COLUMN "created_at" SET DEFAULT now();--> statement-breakpoint
CREATE INDEX "project_need_created_idx" ON "shaanxi"."project_need" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "project_need_published_idx" ON "shaanxi"."project_need" USING btree ("created_at","id") WHERE "shaanxi"."project_need"."published_at" is not null;
