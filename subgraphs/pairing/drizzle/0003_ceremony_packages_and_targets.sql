CREATE TABLE "pairing"."agreement_target_revision" (
	"target_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"projects_signed" integer,
	"committed_fen" bigint,
	"disbursed_fen" bigint,
	"counties_reached" integer,
	"shaanxi_organizations" integer,
	"jiangsu_organizations" integer,
	"note" text,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	"set_by_role" text NOT NULL,
	"set_by_subject" text,
	CONSTRAINT "agreement_target_revision_target_id_version_pk" PRIMARY KEY("target_id","version")
);
--> statement-breakpoint
CREATE TABLE "pairing"."agreement_target" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agreement_id" text NOT NULL,
	"year" integer,
	"projects_signed" integer,
	"committed_fen" bigint,
	"disbursed_fen" bigint,
	"counties_reached" integer,
	"shaanxi_organizations" integer,
	"jiangsu_organizations" integer,
	"note" text,
	"version" integer NOT NULL,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	"set_by_role" text NOT NULL,
	"set_by_subject" text,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "agreement_target_year" CHECK ("pairing"."agreement_target"."year" between 1990 and 2100),
	CONSTRAINT "agreement_target_version_positive" CHECK ("pairing"."agreement_target"."version" >= 1),
	CONSTRAINT "agreement_target_not_negative" CHECK ("pairing"."agreement_target"."projects_signed" >= 0 and "pairing"."agreement_target"."committed_fen" >= 0 and "pairing"."agreement_target"."disbursed_fen" >= 0 and "pairing"."agreement_target"."counties_reached" >= 0 and "pairing"."agreement_target"."shaanxi_organizations" >= 0 and "pairing"."agreement_target"."jiangsu_organizations" >= 0),
	CONSTRAINT "agreement_target_money_limit" CHECK ("pairing"."agreement_target"."committed_fen" <= 100000000000 and "pairing"."agreement_target"."disbursed_fen" <= 100000000000),
	CONSTRAINT "agreement_target_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "pairing"."ceremony_package_line" (
	"package_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"project_id" uuid NOT NULL,
	"county_code" text NOT NULL,
	"shaanxi_signatory_id" text NOT NULL,
	"jiangsu_organization_id" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	CONSTRAINT "ceremony_package_line_package_id_position_pk" PRIMARY KEY("package_id","position"),
	CONSTRAINT "ceremony_package_line_position" CHECK ("pairing"."ceremony_package_line"."position" >= 1),
	CONSTRAINT "ceremony_package_line_amount_limit" CHECK ("pairing"."ceremony_package_line"."amount_fen" <= 100000000000)
);
--> statement-breakpoint
CREATE TABLE "pairing"."ceremony_package" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ceremony_id" text NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"stated_total_fen" bigint NOT NULL,
	"checks" jsonb,
	"content_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by_role" text NOT NULL,
	"created_by_subject" text,
	"finalized_at" timestamp with time zone,
	"finalized_by_role" text,
	"finalized_by_subject" text,
	"signed_at" timestamp with time zone,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "ceremony_package_status" CHECK (status in ('DRAFT', 'FINAL', 'SIGNING', 'SIGNED', 'SUPERSEDED')),
	CONSTRAINT "ceremony_package_version_positive" CHECK ("pairing"."ceremony_package"."version" >= 1),
	CONSTRAINT "ceremony_package_total_not_negative" CHECK ("pairing"."ceremony_package"."stated_total_fen" >= 0),
	CONSTRAINT "ceremony_package_frozen_has_hash" CHECK ("pairing"."ceremony_package"."status" = 'DRAFT' or "pairing"."ceremony_package"."content_hash" is not null),
	CONSTRAINT "ceremony_package_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "pairing"."package_project_claim" (
	"project_id" uuid PRIMARY KEY NOT NULL,
	"package_id" uuid NOT NULL,
	"ceremony_id" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pairing"."package_signing" (
	"package_id" uuid PRIMARY KEY NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_by_role" text NOT NULL,
	"started_by_subject" text,
	"commitments_recorded_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"claimed_until" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "pairing"."pairing_exception" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agreement_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"county_code" text,
	"prefecture_code" text,
	"reason" text NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recorded_by_role" text NOT NULL,
	"recorded_by_subject" text,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "pairing_exception_one_place" CHECK (("pairing"."pairing_exception"."county_code" is null) <> ("pairing"."pairing_exception"."prefecture_code" is null)),
	CONSTRAINT "pairing_exception_county_code" CHECK ("pairing"."pairing_exception"."county_code" ~ '^61[0-9]{4}$'),
	CONSTRAINT "pairing_exception_prefecture_code" CHECK ("pairing"."pairing_exception"."prefecture_code" ~ '^61[0-9]{2}00$'),
	CONSTRAINT "pairing_exception_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
ALTER TABLE "pairing"."ceremony" ADD COLUMN "line_by_line" text DEFAULT 'IN_PACKAGE' NOT NULL;--> statement-breakpoint
ALTER TABLE "pairing"."ceremony" ADD COLUMN "scheduled_by_role" text;--> statement-breakpoint
ALTER TABLE "pairing"."ceremony" ADD COLUMN "scheduled_by_subject" text;--> statement-breakpoint
ALTER TABLE "pairing"."ceremony" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "pairing"."ceremony" ADD COLUMN "request_fingerprint" text;--> statement-breakpoint
ALTER TABLE "pairing"."project_pipeline" ADD COLUMN "focus_position" integer;--> statement-breakpoint
ALTER TABLE "pairing"."project_pipeline" ADD COLUMN "signing_package_id" uuid;--> statement-breakpoint
ALTER TABLE "pairing"."agreement_target_revision" ADD CONSTRAINT "agreement_target_revision_target_id_agreement_target_id_fk" FOREIGN KEY ("target_id") REFERENCES "pairing"."agreement_target"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pairing"."agreement_target" ADD CONSTRAINT "agreement_target_agreement_id_agreement_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "pairing"."agreement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pairing"."ceremony_package_line" ADD CONSTRAINT "ceremony_package_line_package_id_ceremony_package_id_fk" FOREIGN KEY ("package_id") REFERENCES "pairing"."ceremony_package"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pairing"."ceremony_package" ADD CONSTRAINT "ceremony_package_ceremony_id_ceremony_id_fk" FOREIGN KEY ("ceremony_id") REFERENCES "pairing"."ceremony"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pairing"."package_project_claim" ADD CONSTRAINT "package_project_claim_package_id_ceremony_package_id_fk" FOREIGN KEY ("package_id") REFERENCES "pairing"."ceremony_package"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pairing"."package_project_claim" ADD CONSTRAINT "package_project_claim_ceremony_id_ceremony_id_fk" FOREIGN KEY ("ceremony_id") REFERENCES "pairing"."ceremony"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pairing"."package_signing" ADD CONSTRAINT "package_signing_package_id_ceremony_package_id_fk" FOREIGN KEY ("package_id") REFERENCES "pairing"."ceremony_package"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pairing"."pairing_exception" ADD CONSTRAINT "pairing_exception_agreement_id_agreement_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "pairing"."agreement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "agreement_target_period_unique" ON "pairing"."agreement_target" USING btree ("agreement_id",coalesce("year", 0));--> statement-breakpoint
CREATE INDEX "ceremony_package_line_project_idx" ON "pairing"."ceremony_package_line" USING btree ("project_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ceremony_package_version_unique" ON "pairing"."ceremony_package" USING btree ("ceremony_id","version");--> statement-breakpoint
CREATE INDEX "package_project_claim_package_idx" ON "pairing"."package_project_claim" USING btree ("package_id");--> statement-breakpoint
CREATE INDEX "pairing_exception_agreement_idx" ON "pairing"."pairing_exception" USING btree ("agreement_id","organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ceremony_idempotency_key_unique" ON "pairing"."ceremony" USING btree ("idempotency_key");--> statement-breakpoint
ALTER TABLE "pairing"."ceremony" ADD CONSTRAINT "ceremony_line_by_line" CHECK (line_by_line in ('NOT_IN_PUBLIC_RECORD', 'IN_PACKAGE'));--> statement-breakpoint
ALTER TABLE "pairing"."project_pipeline" ADD CONSTRAINT "project_pipeline_focus_positive" CHECK ("pairing"."project_pipeline"."focus_position" > 0);--> statement-breakpoint
-- Ceremonies recorded before packages existed are the public record's: known by declared figures only.
UPDATE "pairing"."ceremony" SET "line_by_line" = 'NOT_IN_PUBLIC_RECORD' WHERE "provenance_kind" = 'PUBLIC_RECORD';
--> statement-breakpoint
CREATE FUNCTION "pairing"."refuse_target_revision_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'agreement target revisions are kept forever: % is not allowed', TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "agreement_target_revision_immutable"
  BEFORE UPDATE OR DELETE ON "pairing"."agreement_target_revision"
  FOR EACH ROW EXECUTE FUNCTION "pairing"."refuse_target_revision_change"();
