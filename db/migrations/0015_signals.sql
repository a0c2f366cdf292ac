CREATE TABLE "signal_values" (
	"version_id" uuid NOT NULL,
	"attribute" text NOT NULL,
	"value" text NOT NULL,
	"position" integer NOT NULL,
	"samples" integer NOT NULL,
	"share" double precision NOT NULL,
	"distinct2" double precision NOT NULL,
	"low_diversity" boolean NOT NULL,
	"terms" jsonb DEFAULT '[]'::jsonb NOT NULL,
	CONSTRAINT "signal_values_version_id_attribute_value_pk" PRIMARY KEY("version_id","attribute","value")
);
--> statement-breakpoint
CREATE TABLE "version_signals" (
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
	"method" jsonb,
	"distinct2" double precision,
	"samples" integer,
	"skipped" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"attributes" jsonb DEFAULT '[]'::jsonb NOT NULL
);
--> statement-breakpoint
ALTER TABLE "signal_values" ADD CONSTRAINT "signal_values_version_id_version_signals_version_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."version_signals"("version_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "version_signals" ADD CONSTRAINT "version_signals_version_id_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "version_signals" ADD CONSTRAINT "version_signals_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "signal_values_order_idx" ON "signal_values" USING btree ("version_id","attribute","position");--> statement-breakpoint
CREATE INDEX "version_signals_queue_idx" ON "version_signals" USING btree ("status","queued_at");