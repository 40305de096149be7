CREATE TABLE "jiangsu"."funding_project_total" (
	"project_id" uuid PRIMARY KEY NOT NULL,
	"pledged_fen" bigint DEFAULT 0 NOT NULL,
	"committed_fen" bigint DEFAULT 0 NOT NULL,
	"disbursed_fen" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "funding_project_total_not_negative" CHECK ("jiangsu"."funding_project_total"."pledged_fen" >= 0 and "jiangsu"."funding_project_total"."committed_fen" >= 0 and "jiangsu"."funding_project_total"."disbursed_fen" >= 0),
	CONSTRAINT "funding_project_total_within_limit" CHECK ("jiangsu"."funding_project_total"."pledged_fen" <= 100000000000 and "jiangsu"."funding_project_total"."committed_fen" <= 100000000000 and "jiangsu"."funding_project_total"."disbursed_fen" <= 100000000000)
);
--> statement-breakpoint
ALTER TABLE "jiangsu"."funding_account" ADD CONSTRAINT "funding_account_within_limit" CHECK ("jiangsu"."funding_account"."pledged_fen" <= 100000000000 and "jiangsu"."funding_account"."committed_fen" <= 100000000000 and "jiangsu"."funding_account"."disbursed_fen" <= 100000000000);--> statement-breakpoint
ALTER TABLE "jiangsu"."funding_entry" ADD CONSTRAINT "funding_entry_amount_within_limit" CHECK ("jiangsu"."funding_entry"."amount_fen" <= 100000000000);