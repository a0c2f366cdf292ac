CREATE TABLE "insight_counts" (
	"scope_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"key" text NOT NULL,
	"n" bigint NOT NULL,
	CONSTRAINT "insight_counts_scope_id_metric_key_pk" PRIMARY KEY("scope_id","metric","key")
);
--> statement-breakpoint
CREATE TABLE "insight_dirty" (
	"round_id" uuid NOT NULL,
	"sample_id" bigint NOT NULL,
	"marked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "insight_dirty_round_id_sample_id_pk" PRIMARY KEY("round_id","sample_id")
);
--> statement-breakpoint
CREATE TABLE "insight_rates" (
	"scope_id" uuid NOT NULL,
	"attribute" text NOT NULL,
	"missing" boolean NOT NULL,
	"value" text NOT NULL,
	"reviewed" integer NOT NULL,
	"flagged" integer NOT NULL,
	CONSTRAINT "insight_rates_scope_id_attribute_missing_value_pk" PRIMARY KEY("scope_id","attribute","missing","value")
);
--> statement-breakpoint
CREATE TABLE "insight_samples" (
	"scope_id" uuid NOT NULL,
	"sample_id" bigint NOT NULL,
	"started" boolean NOT NULL,
	"covered" boolean NOT NULL,
	"flagged" boolean NOT NULL,
	"community_flaggers" integer NOT NULL,
	"max_severity" integer NOT NULL,
	"categories" text[] NOT NULL,
	"expert_also" boolean NOT NULL,
	"external_id" text NOT NULL,
	"attrs" jsonb NOT NULL,
	CONSTRAINT "insight_samples_scope_id_sample_id_pk" PRIMARY KEY("scope_id","sample_id")
);
--> statement-breakpoint
CREATE TABLE "insight_units" (
	"round_id" uuid NOT NULL,
	"sample_id" bigint NOT NULL,
	"version_id" uuid NOT NULL,
	"said" integer NOT NULL,
	"flagged" integer NOT NULL,
	"verdicts" jsonb NOT NULL,
	"cells" jsonb NOT NULL,
	"categories" jsonb NOT NULL,
	CONSTRAINT "insight_units_round_id_sample_id_pk" PRIMARY KEY("round_id","sample_id")
);
--> statement-breakpoint
CREATE INDEX "insight_samples_minority_idx" ON "insight_samples" USING btree ("scope_id","max_severity" DESC NULLS LAST,"external_id") WHERE "insight_samples"."community_flaggers" = 1;--> statement-breakpoint
CREATE INDEX "insight_units_version_sample_idx" ON "insight_units" USING btree ("version_id","sample_id");--> statement-breakpoint
-- Issue #27 (decision 057): every write to a unit's reviews or flags marks the unit (a sample in a
-- round) for the insights job; that upsert is all the write path pays. DO UPDATE, not DO NOTHING:
-- it locks the mark, so the job (which claims marks FOR UPDATE SKIP LOCKED) cannot count the unit
-- and delete its mark while this write is still uncommitted.
CREATE FUNCTION insight_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO insight_dirty (round_id, sample_id) VALUES (NEW.round_id, NEW.sample_id)
	ON CONFLICT (round_id, sample_id) DO UPDATE SET marked_at = excluded.marked_at;
	IF TG_OP = 'UPDATE' AND OLD.sample_id IS NOT NULL AND (OLD.round_id, OLD.sample_id) IS DISTINCT FROM (NEW.round_id, NEW.sample_id) THEN
		INSERT INTO insight_dirty (round_id, sample_id) VALUES (OLD.round_id, OLD.sample_id)
		ON CONFLICT (round_id, sample_id) DO UPDATE SET marked_at = excluded.marked_at;
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
-- Deletions come in bulk (a withdrawal that deletes, a re-import, a cascade): one statement-level insert.
CREATE FUNCTION insight_mark_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO insight_dirty (round_id, sample_id)
	SELECT round_id, sample_id FROM gone WHERE round_id IS NOT NULL AND sample_id IS NOT NULL GROUP BY round_id, sample_id
	ON CONFLICT (round_id, sample_id) DO UPDATE SET marked_at = excluded.marked_at;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER reviews_insight_added AFTER INSERT ON reviews FOR EACH ROW EXECUTE FUNCTION insight_mark();
--> statement-breakpoint
CREATE TRIGGER reviews_insight_changed AFTER UPDATE ON reviews FOR EACH ROW
	WHEN ((OLD.round_id, OLD.sample_id, OLD.participant_id, OLD.verdict) IS DISTINCT FROM (NEW.round_id, NEW.sample_id, NEW.participant_id, NEW.verdict))
	EXECUTE FUNCTION insight_mark();
--> statement-breakpoint
CREATE TRIGGER reviews_insight_gone AFTER DELETE ON reviews REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION insight_mark_gone();
--> statement-breakpoint
CREATE TRIGGER flags_insight_added AFTER INSERT ON flags FOR EACH ROW
	WHEN (NEW.sample_id IS NOT NULL AND NEW.round_id IS NOT NULL AND NEW.kind = 'flag')
	EXECUTE FUNCTION insight_mark();
--> statement-breakpoint
CREATE TRIGGER flags_insight_changed AFTER UPDATE ON flags FOR EACH ROW
	WHEN (NEW.sample_id IS NOT NULL AND NEW.round_id IS NOT NULL
		AND (OLD.round_id, OLD.sample_id, OLD.participant_id, OLD.kind, OLD.category, OLD.severity) IS DISTINCT FROM (NEW.round_id, NEW.sample_id, NEW.participant_id, NEW.kind, NEW.category, NEW.severity))
	EXECUTE FUNCTION insight_mark();
--> statement-breakpoint
CREATE TRIGGER flags_insight_gone AFTER DELETE ON flags REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION insight_mark_gone();
--> statement-breakpoint
-- Coverage compares a unit's verdicts with its round's overlap: a new overlap recounts the round.
CREATE FUNCTION insight_mark_round() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO insight_dirty (round_id, sample_id)
	SELECT round_id, sample_id FROM reviews WHERE round_id = NEW.id GROUP BY round_id, sample_id
	ON CONFLICT (round_id, sample_id) DO UPDATE SET marked_at = excluded.marked_at;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER rounds_insight_overlap AFTER UPDATE OF overlap ON rounds FOR EACH ROW
	WHEN (OLD.overlap IS DISTINCT FROM NEW.overlap)
	EXECUTE FUNCTION insight_mark_round();
--> statement-breakpoint
-- A database that already holds verdicts: every unit is counted by the job's first passes (the
-- dashboard says how many changes it is still counting meanwhile).
INSERT INTO insight_dirty (round_id, sample_id) SELECT round_id, sample_id FROM reviews GROUP BY round_id, sample_id;
