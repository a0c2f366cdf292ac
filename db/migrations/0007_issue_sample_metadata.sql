CREATE TABLE "issue_groups" (
	"issue_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "issue_groups_issue_id_name_pk" PRIMARY KEY("issue_id","name")
);
--> statement-breakpoint
ALTER TABLE "issues" ADD COLUMN "sample_metadata" jsonb;--> statement-breakpoint
ALTER TABLE "issue_groups" ADD CONSTRAINT "issue_groups_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "public"."issues"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Backfill (before the indexes are built): the metadata of the sample each sample issue points at,
-- and one issue_groups row per name in each issue's affected_groups (decision 016).
UPDATE "issues" i SET "sample_metadata" = s."metadata" FROM "samples" s WHERE s."id" = i."sample_id" AND i."kind" = 'sample';--> statement-breakpoint
INSERT INTO "issue_groups" ("issue_id", "version_id", "name")
SELECT DISTINCT i."id", i."version_id", g."name" FROM "issues" i CROSS JOIN LATERAL unnest(i."affected_groups") AS g("name") WHERE g."name" <> '';--> statement-breakpoint
CREATE INDEX "issue_groups_version_name_idx" ON "issue_groups" USING btree ("version_id","name");--> statement-breakpoint
CREATE INDEX "issues_sample_metadata_idx" ON "issues" USING gin ("sample_metadata" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "issues_severity_sort_idx" ON "issues" USING btree ("version_id","blocking","max_severity","flagger_count","number");--> statement-breakpoint
CREATE INDEX "issues_flaggers_sort_idx" ON "issues" USING btree ("version_id","flagger_count","number");--> statement-breakpoint
CREATE INDEX "issues_updated_sort_idx" ON "issues" USING btree ("version_id","updated_at","number");