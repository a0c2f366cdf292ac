ALTER TABLE "users" ADD COLUMN "team_digest_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dataset_members" ADD COLUMN "notify" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "rounds" ADD COLUMN "coverage_notified_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "issues_untriaged_blockers_idx" ON "issues" USING btree ("version_id","created_at") WHERE blocking and triaged_at is null and status <> 'resolved';