CREATE TABLE "shaanxi"."funds_entry" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"currency" text DEFAULT 'CNY' NOT NULL,
	"from_organization_id" text,
	"purpose" text,
	"note" text,
	"idempotency_key" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"recorded_by_role" text NOT NULL,
	"recorded_by_subject" text,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "funds_entry_kind" CHECK (kind in ('RECEIPT', 'EXPENDITURE')),
	CONSTRAINT "funds_entry_currency" CHECK (currency in ('CNY')),
	CONSTRAINT "funds_entry_amount_positive" CHECK ("shaanxi"."funds_entry"."amount_fen" > 0),
	CONSTRAINT "funds_entry_expenditure_has_purpose" CHECK ("shaanxi"."funds_entry"."kind" <> 'EXPENDITURE' or "shaanxi"."funds_entry"."purpose" is not null),
	CONSTRAINT "funds_entry_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "shaanxi"."project_account" (
	"project_id" uuid PRIMARY KEY NOT NULL,
	"received_fen" bigint DEFAULT 0 NOT NULL,
	"spent_fen" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "project_account_not_negative" CHECK ("shaanxi"."project_account"."received_fen" >= 0 and "shaanxi"."project_account"."spent_fen" >= 0),
	CONSTRAINT "project_account_spent_within_received" CHECK ("shaanxi"."project_account"."spent_fen" <= "shaanxi"."project_account"."received_fen")
);
--> statement-breakpoint
ALTER TABLE "shaanxi"."funds_entry" ADD CONSTRAINT "funds_entry_project_id_project_need_id_fk" FOREIGN KEY ("project_id") REFERENCES "shaanxi"."project_need"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "shaanxi"."project_account" ADD CONSTRAINT "project_account_project_id_project_need_id_fk" FOREIGN KEY ("project_id") REFERENCES "shaanxi"."project_need"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "funds_entry_idempotency_key_unique" ON "shaanxi"."funds_entry" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "funds_entry_project_idx" ON "shaanxi"."funds_entry" USING btree ("project_id","recorded_at");