ALTER TABLE "jiangsu"."organization" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "jiangsu"."organization" ADD COLUMN "request_fingerprint" text;--> statement-breakpoint
CREATE UNIQUE INDEX "organization_idempotency_key_unique" ON "jiangsu"."organization" USING btree ("idempotency_key");