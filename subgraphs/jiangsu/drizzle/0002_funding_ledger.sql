CREATE TABLE "jiangsu"."funding_account" (
	"project_id" uuid NOT NULL,
	"organization_id" text NOT NULL,
	"pledged_fen" bigint DEFAULT 0 NOT NULL,
	"committed_fen" bigint DEFAULT 0 NOT NULL,
	"disbursed_fen" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "funding_account_project_id_organization_id_pk" PRIMARY KEY("project_id","organization_id"),
	CONSTRAINT "funding_account_not_negative" CHECK ("jiangsu"."funding_account"."pledged_fen" >= 0 and "jiangsu"."funding_account"."committed_fen" >= 0 and "jiangsu"."funding_account"."disbursed_fen" >= 0),
	CONSTRAINT "funding_account_disbursed_within_committed" CHECK ("jiangsu"."funding_account"."disbursed_fen" <= "jiangsu"."funding_account"."committed_fen")
);
--> statement-breakpoint
CREATE TABLE "jiangsu"."funding_entry" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"organization_id" text NOT NULL,
	"kind" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"currency" text DEFAULT 'CNY' NOT NULL,
	"note" text,
	"idempotency_key" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"recorded_by_role" text NOT NULL,
	"recorded_by_subject" text,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "funding_entry_kind" CHECK (kind in ('PLEDGE', 'COMMITMENT', 'DISBURSEMENT')),
	CONSTRAINT "funding_entry_currency" CHECK (currency in ('CNY')),
	CONSTRAINT "funding_entry_amount_positive" CHECK ("jiangsu"."funding_entry"."amount_fen" > 0),
	CONSTRAINT "funding_entry_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
ALTER TABLE "jiangsu"."funding_account" ADD CONSTRAINT "funding_account_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "jiangsu"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jiangsu"."funding_entry" ADD CONSTRAINT "funding_entry_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "jiangsu"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "funding_account_organization_idx" ON "jiangsu"."funding_account" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "funding_entry_idempotency_key_unique" ON "jiangsu"."funding_entry" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "funding_entry_project_idx" ON "jiangsu"."funding_entry" USING btree ("project_id","recorded_at");