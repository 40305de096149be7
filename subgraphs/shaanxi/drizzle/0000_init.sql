CREATE SCHEMA "shaanxi";
--> statement-breakpoint
CREATE TABLE "shaanxi"."county" (
	"code" text PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"name_pinyin" text NOT NULL,
	"prefecture_code" text NOT NULL,
	"poverty_county" boolean NOT NULL,
	"exited_poverty_year" integer,
	"deep_poverty" boolean,
	"revolutionary_old_area" boolean,
	"notes" text,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "county_code_format" CHECK ("shaanxi"."county"."code" ~ '^61[0-9]{4}$'),
	CONSTRAINT "county_exit_year" CHECK ("shaanxi"."county"."exited_poverty_year" between 1980 and 2100),
	CONSTRAINT "county_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "shaanxi"."organization" (
	"id" text PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text,
	"kind" text NOT NULL,
	"unified_social_credit_code" text,
	"home_county_code" text,
	"description" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "organization_kind" CHECK (kind in ('GOVERNMENT_OFFICE', 'ASSOCIATION', 'FOUNDATION', 'SOCIAL_SERVICE_INSTITUTION', 'VOLUNTEER_GROUP', 'OTHER')),
	CONSTRAINT "organization_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "shaanxi"."prefecture" (
	"code" text PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"name_pinyin" text NOT NULL,
	"revolutionary_old_area" boolean,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "prefecture_code_format" CHECK ("shaanxi"."prefecture"."code" ~ '^61[0-9]{2}00$'),
	CONSTRAINT "prefecture_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "shaanxi"."project_need" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"county_code" text NOT NULL,
	"raised_by_organization_id" text,
	"title_zh" text NOT NULL,
	"title_en" text,
	"field" text NOT NULL,
	"description" text,
	"amount_sought_fen" bigint,
	"beneficiary_count" integer,
	"beneficiary_description" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "project_need_field" CHECK (field in ('LIVELIHOOD', 'INDUSTRY', 'TECHNOLOGY_AND_CULTURE', 'TALENT', 'EDUCATION', 'MEDICAL_AID', 'INFRASTRUCTURE', 'CHILD_WELFARE', 'DISABILITY', 'OTHER')),
	CONSTRAINT "project_need_amount_not_negative" CHECK ("shaanxi"."project_need"."amount_sought_fen" >= 0),
	CONSTRAINT "project_need_beneficiaries_not_negative" CHECK ("shaanxi"."project_need"."beneficiary_count" >= 0),
	CONSTRAINT "project_need_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "shaanxi"."seed_log" (
	"name" text PRIMARY KEY NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "shaanxi"."county" ADD CONSTRAINT "county_prefecture_code_prefecture_code_fk" FOREIGN KEY ("prefecture_code") REFERENCES "shaanxi"."prefecture"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shaanxi"."organization" ADD CONSTRAINT "organization_home_county_code_county_code_fk" FOREIGN KEY ("home_county_code") REFERENCES "shaanxi"."county"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shaanxi"."project_need" ADD CONSTRAINT "project_need_county_code_county_code_fk" FOREIGN KEY ("county_code") REFERENCES "shaanxi"."county"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shaanxi"."project_need" ADD CONSTRAINT "project_need_raised_by_organization_id_organization_id_fk" FOREIGN KEY ("raised_by_organization_id") REFERENCES "shaanxi"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "county_prefecture_idx" ON "shaanxi"."county" USING btree ("prefecture_code");--> statement-breakpoint
CREATE UNIQUE INDEX "organization_uscc_unique" ON "shaanxi"."organization" USING btree ("unified_social_credit_code");--> statement-breakpoint
CREATE INDEX "organization_home_county_idx" ON "shaanxi"."organization" USING btree ("home_county_code");--> statement-breakpoint
CREATE INDEX "project_need_county_idx" ON "shaanxi"."project_need" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "project_need_organization_idx" ON "shaanxi"."project_need" USING btree ("raised_by_organization_id");