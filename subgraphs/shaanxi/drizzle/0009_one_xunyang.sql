-- 旬阳县 (610928), a poverty county of the public record, became 旬阳市 (610981) in 2021. A data
-- folder seeded before this migration holds it twice: the record's row and the division codes
-- package's. Make it one county under the record's code, which every other record refers to,
-- with 610981 as its current code; anything made under 610981 moves to 610928. Nothing to do
-- on a fresh database (the seed runs after the migrations and loads it once).
UPDATE "shaanxi"."organization" SET "home_county_code" = '610928'
  WHERE "home_county_code" = '610981' AND EXISTS (SELECT 1 FROM "shaanxi"."county" WHERE "code" = '610928');--> statement-breakpoint
UPDATE "shaanxi"."project_need" SET "county_code" = '610928'
  WHERE "county_code" = '610981' AND EXISTS (SELECT 1 FROM "shaanxi"."county" WHERE "code" = '610928');--> statement-breakpoint
DELETE FROM "shaanxi"."county"
  WHERE "code" = '610981' AND EXISTS (SELECT 1 FROM "shaanxi"."county" WHERE "code" = '610928');--> statement-breakpoint
UPDATE "shaanxi"."county" SET "current_code" = '610981' WHERE "code" = '610928';
