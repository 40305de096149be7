CREATE TABLE "pairing"."project_pipeline" (
	"project_id" uuid PRIMARY KEY NOT NULL,
	"stage" text NOT NULL,
	"version" integer NOT NULL,
	"county_code" text NOT NULL,
	"prefecture_code" text NOT NULL,
	"field" text NOT NULL,
	"raised_by_organization_id" text,
	"matched_organization_id" text,
	"entered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "project_pipeline_stage" CHECK (stage in ('PROPOSED', 'PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED', 'SUSPENDED', 'CANCELLED')),
	CONSTRAINT "project_pipeline_field" CHECK (field in ('LIVELIHOOD', 'INDUSTRY', 'TECHNOLOGY_AND_CULTURE', 'TALENT', 'EDUCATION', 'MEDICAL_AID', 'INFRASTRUCTURE', 'CHILD_WELFARE', 'DISABILITY', 'OTHER')),
	CONSTRAINT "project_pipeline_version_positive" CHECK ("pairing"."project_pipeline"."version" >= 1),
	CONSTRAINT "project_pipeline_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
CREATE TABLE "pairing"."stage_event" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"project_id" uuid NOT NULL,
	"sequence" integer NOT NULL,
	"from_stage" text NOT NULL,
	"to_stage" text NOT NULL,
	"actor_role" text NOT NULL,
	"actor_subject" text,
	"note" text,
	"organization_id" text,
	"ceremony_id" text,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"provenance_kind" text DEFAULT 'ENTERED' NOT NULL,
	"source_id" text,
	"source_detail" text,
	CONSTRAINT "stage_event_from_stage" CHECK (from_stage in ('PROPOSED', 'PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED', 'SUSPENDED', 'CANCELLED')),
	CONSTRAINT "stage_event_to_stage" CHECK (to_stage in ('PROPOSED', 'PUBLISHED', 'MATCHED', 'SCHEDULED', 'SIGNED', 'IMPLEMENTING', 'COMPLETED', 'EVALUATED', 'SUSPENDED', 'CANCELLED')),
	CONSTRAINT "stage_event_sequence_positive" CHECK ("pairing"."stage_event"."sequence" >= 1),
	CONSTRAINT "stage_event_provenance_kind" CHECK (provenance_kind in ('PUBLIC_RECORD', 'SYNTHETIC_DEMO', 'ENTERED'))
);
--> statement-breakpoint
ALTER TABLE "pairing"."stage_event" ADD CONSTRAINT "stage_event_project_id_project_pipeline_project_id_fk" FOREIGN KEY ("project_id") REFERENCES "pairing"."project_pipeline"("project_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pairing"."stage_event" ADD CONSTRAINT "stage_event_ceremony_id_ceremony_id_fk" FOREIGN KEY ("ceremony_id") REFERENCES "pairing"."ceremony"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "project_pipeline_stage_idx" ON "pairing"."project_pipeline" USING btree ("stage");--> statement-breakpoint
CREATE INDEX "project_pipeline_county_idx" ON "pairing"."project_pipeline" USING btree ("county_code");--> statement-breakpoint
CREATE INDEX "project_pipeline_prefecture_idx" ON "pairing"."project_pipeline" USING btree ("prefecture_code");--> statement-breakpoint
CREATE INDEX "project_pipeline_entered_idx" ON "pairing"."project_pipeline" USING btree ("entered_at","project_id");--> statement-breakpoint
CREATE UNIQUE INDEX "stage_event_sequence_unique" ON "pairing"."stage_event" USING btree ("project_id","sequence");