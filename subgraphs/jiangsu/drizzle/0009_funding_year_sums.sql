CREATE TABLE "jiangsu"."funding_year_sum" (
	"project_id" uuid NOT NULL,
	"organization_id" text NOT NULL,
	"kind" text NOT NULL,
	"year" integer NOT NULL,
	"amount_fen" bigint NOT NULL,
	CONSTRAINT "funding_year_sum_project_id_organization_id_kind_year_pk" PRIMARY KEY("project_id","organization_id","kind","year"),
	CONSTRAINT "funding_year_sum_kind" CHECK (kind in ('COMMITMENT', 'DISBURSEMENT')),
	CONSTRAINT "funding_year_sum_within_limit" CHECK ("jiangsu"."funding_year_sum"."amount_fen" >= 0 and "jiangsu"."funding_year_sum"."amount_fen" <= 100000000000)
);
--> statement-breakpoint
ALTER TABLE "jiangsu"."funding_year_sum" ADD CONSTRAINT "funding_year_sum_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "jiangsu"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- The year sums are kept by the entries' own trigger, in the transaction that writes an entry,
-- whoever writes it (the ledger, a data load, an operator's SQL): no writer has to remember them.
-- The year is the calendar year of recording in China Standard Time (UTC+8 all year), as
-- chinaYear computes it. Entries are never changed; should one be, its old sum is taken back.
CREATE FUNCTION "jiangsu"."keep_funding_year_sum"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.kind IN ('COMMITMENT', 'DISBURSEMENT') THEN
    UPDATE "jiangsu"."funding_year_sum" SET "amount_fen" = "amount_fen" - OLD.amount_fen
    WHERE "project_id" = OLD.project_id AND "organization_id" = OLD.organization_id AND "kind" = OLD.kind
      AND "year" = extract(year from (OLD.recorded_at at time zone 'UTC') + interval '8 hours')::int;
    DELETE FROM "jiangsu"."funding_year_sum"
    WHERE "project_id" = OLD.project_id AND "organization_id" = OLD.organization_id AND "kind" = OLD.kind
      AND "year" = extract(year from (OLD.recorded_at at time zone 'UTC') + interval '8 hours')::int AND "amount_fen" = 0;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.kind IN ('COMMITMENT', 'DISBURSEMENT') THEN
    INSERT INTO "jiangsu"."funding_year_sum" AS kept ("project_id", "organization_id", "kind", "year", "amount_fen")
    VALUES (NEW.project_id, NEW.organization_id, NEW.kind,
            extract(year from (NEW.recorded_at at time zone 'UTC') + interval '8 hours')::int, NEW.amount_fen)
    ON CONFLICT ("project_id", "organization_id", "kind", "year") DO UPDATE SET "amount_fen" = kept.amount_fen + excluded.amount_fen;
  END IF;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "funding_entry_year_sum"
  AFTER INSERT OR UPDATE OR DELETE ON "jiangsu"."funding_entry"
  FOR EACH ROW EXECUTE FUNCTION "jiangsu"."keep_funding_year_sum"();
--> statement-breakpoint
-- The sums start from the entries already recorded.
INSERT INTO "jiangsu"."funding_year_sum" ("project_id", "organization_id", "kind", "year", "amount_fen")
SELECT "project_id", "organization_id", "kind", extract(year from ("recorded_at" at time zone 'UTC') + interval '8 hours')::int, sum("amount_fen")
FROM "jiangsu"."funding_entry"
WHERE "kind" IN ('COMMITMENT', 'DISBURSEMENT')
GROUP BY 1, 2, 3, 4;
