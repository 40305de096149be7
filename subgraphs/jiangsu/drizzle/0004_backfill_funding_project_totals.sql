-- Custom SQL migration file, put your code below! --
-- A project's totals across organizations start from the accounts already kept.
INSERT INTO "jiangsu"."funding_project_total" ("project_id", "pledged_fen", "committed_fen", "disbursed_fen")
SELECT "project_id", sum("pledged_fen"), sum("committed_fen"), sum("disbursed_fen")
FROM "jiangsu"."funding_account"
GROUP BY "project_id"
ON CONFLICT ("project_id") DO NOTHING;
