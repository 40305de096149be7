ALTER TABLE "shaanxi"."organization" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "shaanxi"."organization" ADD COLUMN "request_fingerprint" text;--> statement-breakpoint
ALTER TABLE "shaanxi"."project_need" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "shaanxi"."project_need" ADD COLUMN "request_fingerprint" text;--> statement-breakpoint
CREATE UNIQUE INDEX "organization_idempotency_key_unique" ON "shaanxi"."organization" USING btree ("idempotency_key");--> statement-breakpoint
CREATE UNIQUE INDEX "project_need_idempotency_key_unique" ON "shaanxi"."project_need" USING btree ("idempotency_key");