CREATE SCHEMA "jiangsu";
--> statement-breakpoint
CREATE TABLE "jiangsu"."city" (
	"code" text PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"name_pinyin" text NOT NULL,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "city_code_format" CHECK ("jiangsu"."city"."code" ~ '^32[0-9]{2}00$'),
	CONSTRAINT "city_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "jiangsu"."city_pairing" (
	"jiangsu_city_code" text PRIMARY KEY NOT NULL,
	"shaanxi_prefecture_code" text NOT NULL,
	"evidence" text NOT NULL,
	"since_year" integer,
	"notes" text,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "city_pairing_prefecture_format" CHECK ("jiangsu"."city_pairing"."shaanxi_prefecture_code" ~ '^61[0-9]{2}00$'),
	CONSTRAINT "city_pairing_evidence" CHECK (evidence in ('CITY', 'COUNTY_ONLY')),
	CONSTRAINT "city_pairing_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "jiangsu"."county_pair" (
	"jiangsu_city_code" text NOT NULL,
	"jiangsu_county_name_zh" text NOT NULL,
	"shaanxi_county_code" text NOT NULL,
	"since_year" integer,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "county_pair_jiangsu_county_name_zh_shaanxi_county_code_pk" PRIMARY KEY("jiangsu_county_name_zh","shaanxi_county_code"),
	CONSTRAINT "county_pair_county_format" CHECK ("jiangsu"."county_pair"."shaanxi_county_code" ~ '^61[0-9]{4}$'),
	CONSTRAINT "county_pair_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "jiangsu"."organization" (
	"id" text PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text,
	"kind" text NOT NULL,
	"unified_social_credit_code" text,
	"city_code" text,
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
CREATE TABLE "jiangsu"."seed_log" (
	"name" text PRIMARY KEY NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "jiangsu"."city_pairing" ADD CONSTRAINT "city_pairing_jiangsu_city_code_city_code_fk" FOREIGN KEY ("jiangsu_city_code") REFERENCES "jiangsu"."city"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jiangsu"."county_pair" ADD CONSTRAINT "county_pair_jiangsu_city_code_city_code_fk" FOREIGN KEY ("jiangsu_city_code") REFERENCES "jiangsu"."city"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jiangsu"."organization" ADD CONSTRAINT "organization_city_code_city_code_fk" FOREIGN KEY ("city_code") REFERENCES "jiangsu"."city"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "city_pairing_prefecture_unique" ON "jiangsu"."city_pairing" USING btree ("shaanxi_prefecture_code");--> statement-breakpoint
CREATE INDEX "county_pair_city_idx" ON "jiangsu"."county_pair" USING btree ("jiangsu_city_code");--> statement-breakpoint
CREATE INDEX "county_pair_county_idx" ON "jiangsu"."county_pair" USING btree ("shaanxi_county_code");--> statement-breakpoint
CREATE UNIQUE INDEX "organization_uscc_unique" ON "jiangsu"."organization" USING btree ("unified_social_credit_code");--> statement-breakpoint
CREATE INDEX "organization_city_idx" ON "jiangsu"."organization" USING btree ("city_code");