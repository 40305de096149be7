-- Needs from the public record were published by the report itself; drafts stay drafts.
UPDATE "shaanxi"."project_need" SET "published_at" = "created_at" WHERE "provenance_kind" = 'PUBLIC_RECORD' AND "published_at" IS NULL;
