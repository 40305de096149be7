CREATE TABLE "jiangsu"."county" (
	"code" text PRIMARY KEY NOT NULL,
	"name_zh" text NOT NULL,
	"city_code" text NOT NULL,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "county_code_format" CHECK ("jiangsu"."county"."code" ~ '^32[0-9]{4}$'),
	CONSTRAINT "county_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
ALTER TABLE "jiangsu"."city" ALTER COLUMN "name_pinyin" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "jiangsu"."county_pair" ADD COLUMN "jiangsu_county_code" text;--> statement-breakpoint
ALTER TABLE "jiangsu"."county" ADD CONSTRAINT "county_city_code_city_code_fk" FOREIGN KEY ("city_code") REFERENCES "jiangsu"."city"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "county_city_idx" ON "jiangsu"."county" USING btree ("city_code");--> statement-breakpoint
ALTER TABLE "jiangsu"."county_pair" ADD CONSTRAINT "county_pair_jiangsu_county_code_county_code_fk" FOREIGN KEY ("jiangsu_county_code") REFERENCES "jiangsu"."county"("code") ON DELETE no action ON UPDATE no action;