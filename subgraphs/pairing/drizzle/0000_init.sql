CREATE SCHEMA "pairing";
--> statement-breakpoint
CREATE TABLE "pairing"."agreement_focus" (
	"agreement_id" text NOT NULL,
	"position" integer NOT NULL,
	"title_zh" text NOT NULL,
	"title_en" text NOT NULL,
	CONSTRAINT "agreement_focus_agreement_id_position_pk" PRIMARY KEY("agreement_id","position"),
	CONSTRAINT "agreement_focus_position" CHECK ("pairing"."agreement_focus"."position" > 0)
);
--> statement-breakpoint
CREATE TABLE "pairing"."agreement" (
	"id" text PRIMARY KEY NOT NULL,
	"title_zh" text NOT NULL,
	"title_en" text,
	"jiangsu_party_id" text NOT NULL,
	"shaanxi_party_id" text NOT NULL,
	"coordinator_id" text,
	"term_years" integer NOT NULL,
	"signed_on" date,
	"planned_project_count" integer,
	"planned_fields" text[] DEFAULT '{}' NOT NULL,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "agreement_term_positive" CHECK ("pairing"."agreement"."term_years" > 0),
	CONSTRAINT "agreement_planned_not_negative" CHECK ("pairing"."agreement"."planned_project_count" >= 0),
	CONSTRAINT "agreement_planned_fields" CHECK (planned_fields <@ array['LIVELIHOOD', 'INDUSTRY', 'TECHNOLOGY_AND_CULTURE', 'TALENT', 'EDUCATION', 'MEDICAL_AID', 'INFRASTRUCTURE', 'CHILD_WELFARE', 'DISABILITY', 'OTHER']::text[]),
	CONSTRAINT "agreement_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "pairing"."ceremony" (
	"id" text PRIMARY KEY NOT NULL,
	"agreement_id" text NOT NULL,
	"title_zh" text NOT NULL,
	"title_en" text,
	"held_on" date NOT NULL,
	"city_code" text NOT NULL,
	"city_name_zh" text NOT NULL,
	"venue" text,
	"declared_project_count" integer NOT NULL,
	"declared_total_fen" bigint NOT NULL,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "ceremony_city_code_format" CHECK ("pairing"."ceremony"."city_code" ~ '^[1-9][0-9]{5}$'),
	CONSTRAINT "ceremony_declared_count_not_negative" CHECK ("pairing"."ceremony"."declared_project_count" >= 0),
	CONSTRAINT "ceremony_declared_total_not_negative" CHECK ("pairing"."ceremony"."declared_total_fen" >= 0),
	CONSTRAINT "ceremony_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "pairing"."ceremony_county" (
	"ceremony_id" text NOT NULL,
	"county_code" text NOT NULL,
	CONSTRAINT "ceremony_county_ceremony_id_county_code_pk" PRIMARY KEY("ceremony_id","county_code"),
	CONSTRAINT "ceremony_county_code_format" CHECK ("pairing"."ceremony_county"."county_code" ~ '^61[0-9]{4}$')
);
--> statement-breakpoint
CREATE TABLE "pairing"."ceremony_organization" (
	"ceremony_id" text NOT NULL,
	"organization_id" text NOT NULL,
	"province" text NOT NULL,
	"role" text NOT NULL,
	CONSTRAINT "ceremony_organization_ceremony_id_organization_id_role_pk" PRIMARY KEY("ceremony_id","organization_id","role"),
	CONSTRAINT "ceremony_organization_province" CHECK (province in ('SHAANXI', 'JIANGSU')),
	CONSTRAINT "ceremony_organization_role" CHECK (role in ('HOST', 'SIGNATORY'))
);
--> statement-breakpoint
CREATE TABLE "pairing"."ceremony_project" (
	"project_id" uuid PRIMARY KEY NOT NULL,
	"ceremony_id" text NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "pairing"."seed_log" (
	"name" text PRIMARY KEY NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "pairing"."agreement_focus" ADD CONSTRAINT "agreement_focus_agreement_id_agreement_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "pairing"."agreement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pairing"."ceremony" ADD CONSTRAINT "ceremony_agreement_id_agreement_id_fk" FOREIGN KEY ("agreement_id") REFERENCES "pairing"."agreement"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pairing"."ceremony_county" ADD CONSTRAINT "ceremony_county_ceremony_id_ceremony_id_fk" FOREIGN KEY ("ceremony_id") REFERENCES "pairing"."ceremony"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pairing"."ceremony_organization" ADD CONSTRAINT "ceremony_organization_ceremony_id_ceremony_id_fk" FOREIGN KEY ("ceremony_id") REFERENCES "pairing"."ceremony"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pairing"."ceremony_project" ADD CONSTRAINT "ceremony_project_ceremony_id_ceremony_id_fk" FOREIGN KEY ("ceremony_id") REFERENCES "pairing"."ceremony"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ceremony_agreement_idx" ON "pairing"."ceremony" USING btree ("agreement_id");--> statement-breakpoint
CREATE INDEX "ceremony_county_county_idx" ON "pairing"."ceremony_county" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "ceremony_organization_organization_idx" ON "pairing"."ceremony_organization" USING btree ("organization_id");--> statement-breakpoint
CREATE INDEX "ceremony_project_ceremony_idx" ON "pairing"."ceremony_project" USING btree ("ceremony_id");