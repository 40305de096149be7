CREATE TABLE "jiangsu"."giving_profile_version" (
	"organization_id" text NOT NULL,
	"version" integer NOT NULL,
	"fields" text[] NOT NULL,
	"preferred_prefecture_codes" text[] NOT NULL,
	"preferred_county_codes" text[] NOT NULL,
	"count_paired_city" boolean NOT NULL,
	"prioritize_deep_poverty" boolean NOT NULL,
	"prioritize_revolutionary_old_area" boolean NOT NULL,
	"yearly_budget_fen" bigint,
	"smallest_grant_fen" bigint,
	"largest_grant_fen" bigint,
	"reporting_languages" text[] NOT NULL,
	"public" boolean NOT NULL,
	"set_at" timestamp with time zone DEFAULT now() NOT NULL,
	"set_by_role" text NOT NULL,
	"set_by_subject" text,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "giving_profile_version_organization_id_version_pk" PRIMARY KEY("organization_id","version"),
	CONSTRAINT "giving_profile_version_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "jiangsu"."giving_profile" (
	"organization_id" text PRIMARY KEY NOT NULL,
	"version" integer NOT NULL,
	"fields" text[] NOT NULL,
	"preferred_prefecture_codes" text[] NOT NULL,
	"preferred_county_codes" text[] NOT NULL,
	"count_paired_city" boolean NOT NULL,
	"prioritize_deep_poverty" boolean NOT NULL,
	"prioritize_revolutionary_old_area" boolean NOT NULL,
	"yearly_budget_fen" bigint,
	"smallest_grant_fen" bigint,
	"largest_grant_fen" bigint,
	"reporting_languages" text[] NOT NULL,
	"public" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "giving_profile_version_positive" CHECK ("jiangsu"."giving_profile"."version" >= 1),
	CONSTRAINT "giving_profile_amounts_positive" CHECK (coalesce("jiangsu"."giving_profile"."yearly_budget_fen", 1) > 0 and coalesce("jiangsu"."giving_profile"."smallest_grant_fen", 1) > 0 and coalesce("jiangsu"."giving_profile"."largest_grant_fen", 1) > 0),
	CONSTRAINT "giving_profile_grant_range" CHECK ("jiangsu"."giving_profile"."smallest_grant_fen" is null or "jiangsu"."giving_profile"."largest_grant_fen" is null or "jiangsu"."giving_profile"."smallest_grant_fen" <= "jiangsu"."giving_profile"."largest_grant_fen"),
	CONSTRAINT "giving_profile_languages" CHECK (cardinality("jiangsu"."giving_profile"."reporting_languages") >= 1 and "jiangsu"."giving_profile"."reporting_languages" <@ array['ZH', 'EN']),
	CONSTRAINT "giving_profile_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "jiangsu"."project_interest" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"organization_id" text NOT NULL,
	"note" text NOT NULL,
	"amount_in_mind_fen" bigint,
	"idempotency_key" text NOT NULL,
	"request_fingerprint" text NOT NULL,
	"expressed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expressed_by_role" text NOT NULL,
	"expressed_by_subject" text,
	"withdrawn_at" timestamp with time zone,
	"withdrawn_by_subject" text,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "project_interest_amount_positive" CHECK ("jiangsu"."project_interest"."amount_in_mind_fen" is null or ("jiangsu"."project_interest"."amount_in_mind_fen" > 0 and "jiangsu"."project_interest"."amount_in_mind_fen" <= 100000000000)),
	CONSTRAINT "project_interest_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
ALTER TABLE "jiangsu"."giving_profile_version" ADD CONSTRAINT "giving_profile_version_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "jiangsu"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jiangsu"."giving_profile" ADD CONSTRAINT "giving_profile_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "jiangsu"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jiangsu"."project_interest" ADD CONSTRAINT "project_interest_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "jiangsu"."organization"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "project_interest_standing_unique" ON "jiangsu"."project_interest" USING btree ("project_id","organization_id") WHERE withdrawn_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX "project_interest_organization_idempotency_key_unique" ON "jiangsu"."project_interest" USING btree ("organization_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "project_interest_project_idx" ON "jiangsu"."project_interest" USING btree ("project_id");--> statement-breakpoint
CREATE FUNCTION "jiangsu"."refuse_giving_profile_version_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'giving profile versions are kept forever: % is not allowed', TG_OP
    USING ERRCODE = 'restrict_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "giving_profile_version_immutable"
  BEFORE UPDATE OR DELETE ON "jiangsu"."giving_profile_version"
  FOR EACH ROW EXECUTE FUNCTION "jiangsu"."refuse_giving_profile_version_change"();
