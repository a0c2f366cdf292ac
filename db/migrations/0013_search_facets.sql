CREATE TABLE "facet_values" (
	"id" integer PRIMARY KEY NOT NULL,
	"import_id" uuid NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	"folded" text NOT NULL,
	"count" integer NOT NULL
);
--> statement-breakpoint
CREATE SEQUENCE IF NOT EXISTS "facet_value_ids" INCREMENT BY 1024 START WITH 1;--> statement-breakpoint
DROP INDEX "samples_search_idx";--> statement-breakpoint
ALTER TABLE "imports" ADD COLUMN "facet_keys" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "samples" ADD COLUMN "search_vector" "tsvector";--> statement-breakpoint
ALTER TABLE "samples" ADD COLUMN "facet_ids" integer[] DEFAULT '{}'::integer[] NOT NULL;--> statement-breakpoint
ALTER TABLE "facet_values" ADD CONSTRAINT "facet_values_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Samples imported before: PostgreSQL's own words (lower-cased, no CJK cutting) until the version is re-imported.
UPDATE "samples" SET "search_vector" = to_tsvector('simple'::regconfig, left(coalesce("content", "messages"::text, ''), 100000));--> statement-breakpoint
-- Their facets: the values the old summary kept (at most 80 a key), one id each from the sequence.
INSERT INTO "facet_values" ("id", "import_id", "key", "value", "folded", "count")
	SELECT nextval('facet_value_ids'), i."id", f."key", v."key", lower(v."key"), v."value"::int
	FROM "imports" i, jsonb_each(i."facets") f, jsonb_each_text(f."value") v
	WHERE i."status" = 'succeeded';--> statement-breakpoint
UPDATE "imports" i SET "facet_keys" = coalesce((
	SELECT jsonb_agg(jsonb_build_object('key', k."key", 'kind', 'list', 'distinct', k.n, 'rows', k.total) ORDER BY k.total DESC, k."key")
	FROM (SELECT "key", count(*)::int AS n, sum("count")::int AS total FROM "facet_values" WHERE "import_id" = i."id" GROUP BY "key") k
), '[]'::jsonb) WHERE i."status" = 'succeeded';--> statement-breakpoint
UPDATE "samples" s SET "facet_ids" = coalesce((
	SELECT array_agg(fv."id") FROM "facet_values" fv
	WHERE fv."import_id" = s."import_id" AND s."metadata" #>> string_to_array(fv."key", '.') = fv."value"
), '{}'::integer[]) WHERE exists (SELECT 1 FROM "facet_values" fv WHERE fv."import_id" = s."import_id");--> statement-breakpoint
CREATE INDEX "facet_values_import_key_idx" ON "facet_values" USING btree ("import_id","key","count" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "facet_values_lookup_idx" ON "facet_values" USING btree ("import_id","key","value");--> statement-breakpoint
CREATE INDEX "samples_facet_ids_idx" ON "samples" USING gin ("facet_ids");--> statement-breakpoint
CREATE INDEX "samples_search_idx" ON "samples" USING gin ("search_vector");
