CREATE TABLE "audit_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"dataset_id" uuid NOT NULL,
	"version_id" uuid,
	"actor_id" uuid,
	"actor_name" text DEFAULT '' NOT NULL,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text DEFAULT '' NOT NULL,
	"target_label" text DEFAULT '' NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"reason" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issue_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"issue_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"actor_id" uuid,
	"before" jsonb,
	"after" jsonb,
	"note" text DEFAULT '' NOT NULL,
	"internal" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "issues" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"version_id" uuid NOT NULL,
	"number" integer NOT NULL,
	"kind" text NOT NULL,
	"sample_id" bigint,
	"external_id" text,
	"content_hash" text,
	"template_target" text,
	"use_case_id" uuid,
	"comment_id" uuid,
	"lineage_id" uuid NOT NULL,
	"carried_from_id" uuid,
	"status" text DEFAULT 'open' NOT NULL,
	"resolution" text,
	"needs_re_review" boolean DEFAULT false NOT NULL,
	"blocking" boolean DEFAULT false NOT NULL,
	"blocking_reasons" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"owner_blocking" boolean,
	"assignee_id" uuid,
	"public_response" text DEFAULT '' NOT NULL,
	"flag_count" integer DEFAULT 0 NOT NULL,
	"flagger_count" integer DEFAULT 0 NOT NULL,
	"max_severity" integer DEFAULT 0 NOT NULL,
	"categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"severities" text[] DEFAULT '{}'::text[] NOT NULL,
	"affected_groups" text[] DEFAULT '{}'::text[] NOT NULL,
	"revision" integer DEFAULT 1 NOT NULL,
	"triaged_at" timestamp with time zone,
	"reminded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "versions" ADD COLUMN "issue_seq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "versions" ADD COLUMN "overridden_blockers" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "versions" ADD COLUMN "override_justification" text;--> statement-breakpoint
ALTER TABLE "comments" ADD COLUMN "issue_id" uuid;--> statement-breakpoint
ALTER TABLE "flags" ADD COLUMN "issue_id" uuid;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "email_state" text;--> statement-breakpoint
ALTER TABLE "issue_events" ADD CONSTRAINT "issue_events_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "public"."issues"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issue_events" ADD CONSTRAINT "issue_events_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues" ADD CONSTRAINT "issues_version_id_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues" ADD CONSTRAINT "issues_sample_id_samples_id_fk" FOREIGN KEY ("sample_id") REFERENCES "public"."samples"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues" ADD CONSTRAINT "issues_use_case_id_use_cases_id_fk" FOREIGN KEY ("use_case_id") REFERENCES "public"."use_cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues" ADD CONSTRAINT "issues_carried_from_id_issues_id_fk" FOREIGN KEY ("carried_from_id") REFERENCES "public"."issues"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issues" ADD CONSTRAINT "issues_assignee_id_users_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_dataset_idx" ON "audit_events" USING btree ("dataset_id","created_at");--> statement-breakpoint
CREATE INDEX "issue_events_issue_idx" ON "issue_events" USING btree ("issue_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "issues_version_number_key" ON "issues" USING btree ("version_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "issues_version_sample_key" ON "issues" USING btree ("version_id","sample_id") WHERE kind = 'sample' and sample_id is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "issues_version_template_key" ON "issues" USING btree ("version_id","template_target") WHERE kind = 'template';--> statement-breakpoint
CREATE UNIQUE INDEX "issues_comment_key" ON "issues" USING btree ("comment_id") WHERE kind = 'use_case';--> statement-breakpoint
CREATE INDEX "issues_inbox_idx" ON "issues" USING btree ("version_id","status","blocking");--> statement-breakpoint
CREATE INDEX "issues_lineage_idx" ON "issues" USING btree ("lineage_id");--> statement-breakpoint
CREATE INDEX "issues_categories_idx" ON "issues" USING gin ("categories");--> statement-breakpoint
CREATE INDEX "issues_groups_idx" ON "issues" USING gin ("affected_groups");--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "public"."issues"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "flags" ADD CONSTRAINT "flags_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "public"."issues"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "flags_issue_idx" ON "flags" USING btree ("issue_id");--> statement-breakpoint
CREATE INDEX "notifications_email_pending_idx" ON "notifications" USING btree ("created_at") WHERE email_state = 'pending';--> statement-breakpoint
-- The audit log is append-only: rows can be added, never changed or removed.
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit_events is append-only';
END;
$$;--> statement-breakpoint
CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON "audit_events" FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
