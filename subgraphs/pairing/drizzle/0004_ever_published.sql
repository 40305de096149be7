-- Whether a project has ever been published, kept on its pipeline row by the database from the
-- stage events, so that public lists filter on the row instead of searching every event.
ALTER TABLE "pairing"."project_pipeline" ADD COLUMN "ever_published" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
CREATE INDEX "project_pipeline_published_idx" ON "pairing"."project_pipeline" USING btree ("entered_at","project_id") WHERE "pairing"."project_pipeline"."ever_published";
--> statement-breakpoint
CREATE FUNCTION "pairing"."note_publication"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "pairing"."project_pipeline" SET "ever_published" = true
    WHERE "project_id" = NEW."project_id" AND NOT "ever_published";
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "stage_event_notes_publication"
  AFTER INSERT ON "pairing"."stage_event"
  FOR EACH ROW WHEN (NEW."to_stage" = 'PUBLISHED') EXECUTE FUNCTION "pairing"."note_publication"();
--> statement-breakpoint
-- Last: the update leaves deferred trigger events (the response cache's data version) pending
-- on the table until commit, and Postgres then refuses any further change of its definition.
UPDATE "pairing"."project_pipeline" AS p SET "ever_published" = true
  WHERE EXISTS (SELECT 1 FROM "pairing"."stage_event" AS e WHERE e."project_id" = p."project_id" AND e."to_stage" = 'PUBLISHED');
