CREATE TABLE "issue_samples" (
	"issue_id" uuid NOT NULL,
	"sample_id" bigint,
	"external_id" text NOT NULL,
	"content_hash" text NOT NULL,
	"similarity" double precision,
	"how" text NOT NULL,
	"added_by" uuid,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "issue_samples_issue_id_external_id_pk" PRIMARY KEY("issue_id","external_id")
);
--> statement-breakpoint
CREATE TABLE "sample_band_groups" (
	"import_id" uuid NOT NULL,
	"band" integer NOT NULL,
	"sample_ids" bigint[] DEFAULT '{}'::bigint[] NOT NULL,
	CONSTRAINT "sample_band_groups_import_id_band_pk" PRIMARY KEY("import_id","band")
);
--> statement-breakpoint
CREATE TABLE "version_similarity" (
	"version_id" uuid PRIMARY KEY NOT NULL,
	"import_id" uuid NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"samples_done" integer DEFAULT 0 NOT NULL,
	"samples_total" integer DEFAULT 0 NOT NULL,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"queued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone,
	"computed_at" timestamp with time zone,
	"groups" integer
);
--> statement-breakpoint
ALTER TABLE "versions" ADD COLUMN "template_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "versions" ADD COLUMN "persona_key" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "issue_samples" ADD CONSTRAINT "issue_samples_issue_id_issues_id_fk" FOREIGN KEY ("issue_id") REFERENCES "public"."issues"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issue_samples" ADD CONSTRAINT "issue_samples_sample_id_samples_id_fk" FOREIGN KEY ("sample_id") REFERENCES "public"."samples"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issue_samples" ADD CONSTRAINT "issue_samples_added_by_users_id_fk" FOREIGN KEY ("added_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sample_band_groups" ADD CONSTRAINT "sample_band_groups_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "version_similarity" ADD CONSTRAINT "version_similarity_version_id_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "version_similarity" ADD CONSTRAINT "version_similarity_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "issue_samples_sample_idx" ON "issue_samples" USING btree ("sample_id");--> statement-breakpoint
CREATE INDEX "version_similarity_queue_idx" ON "version_similarity" USING btree ("status","queued_at");--> statement-breakpoint
-- Versions published before similar samples existed get their index built by the job, as after an import.
INSERT INTO "version_similarity" ("version_id", "import_id", "samples_total") SELECT "id", "current_import_id", "sample_count" FROM "versions" WHERE "current_import_id" IS NOT NULL;
