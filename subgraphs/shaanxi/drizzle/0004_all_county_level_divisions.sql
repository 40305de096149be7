ALTER TABLE "shaanxi"."county" ALTER COLUMN "name_pinyin" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "shaanxi"."county" ALTER COLUMN "poverty_county" DROP NOT NULL;