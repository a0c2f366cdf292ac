CREATE TABLE "insight_counts" (
	"version_id" uuid NOT NULL,
	"round_id" uuid,
	"kind" text NOT NULL,
	"attr" text DEFAULT '' NOT NULL,
	"key" text DEFAULT '' NOT NULL,
	"n" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "insight_counts_key" UNIQUE NULLS NOT DISTINCT("version_id","round_id","kind","attr","key")
);
--> statement-breakpoint
CREATE TABLE "insight_samples" (
	"version_id" uuid NOT NULL,
	"sample_id" bigint NOT NULL,
	"external_id" text NOT NULL,
	"community" integer DEFAULT 0 NOT NULL,
	"expert_also" boolean DEFAULT false NOT NULL,
	"max_severity" integer DEFAULT 0 NOT NULL,
	"categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"contrib" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "insight_samples_version_id_sample_id_pk" PRIMARY KEY("version_id","sample_id")
);
--> statement-breakpoint
CREATE TABLE "insight_units" (
	"round_id" uuid NOT NULL,
	"sample_id" bigint NOT NULL,
	"version_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"m" integer DEFAULT 0 NOT NULL,
	"a" integer DEFAULT 0 NOT NULL,
	"covered" boolean DEFAULT false NOT NULL,
	"community" integer DEFAULT 0 NOT NULL,
	"expert_also" boolean DEFAULT false NOT NULL,
	"max_severity" integer DEFAULT 0 NOT NULL,
	"categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"contrib" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "insight_units_round_id_sample_id_pk" PRIMARY KEY("round_id","sample_id")
);
--> statement-breakpoint
ALTER TABLE "insight_counts" ADD CONSTRAINT "insight_counts_version_id_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insight_counts" ADD CONSTRAINT "insight_counts_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insight_samples" ADD CONSTRAINT "insight_samples_version_id_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insight_units" ADD CONSTRAINT "insight_units_round_id_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "insight_units" ADD CONSTRAINT "insight_units_version_id_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "insight_samples_minority_idx" ON "insight_samples" USING btree ("version_id","max_severity" DESC NULLS LAST,"external_id") WHERE community = 1;--> statement-breakpoint
CREATE INDEX "insight_units_version_sample_idx" ON "insight_units" USING btree ("version_id","sample_id");--> statement-breakpoint
CREATE INDEX "insight_units_minority_idx" ON "insight_units" USING btree ("round_id","max_severity" DESC NULLS LAST,"external_id") WHERE community = 1;--> statement-breakpoint
-- The dashboard's counters, maintained in the transaction of every write (decision 050). A
-- contribution key is kind␟attr␟key (␟ = U+001F); see db/schema/insights.ts for the kinds.
CREATE FUNCTION insight_key(kind text, attr text, key text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT kind || E'\x1f' || attr || E'\x1f' || key $$;
--> statement-breakpoint
-- One lock per version, taken first by every refresh and held to commit: refreshes of one version
-- run one after another, each reading what the previous one committed (under READ COMMITTED every
-- statement below takes a fresh snapshot, after the lock).
CREATE FUNCTION insight_lock(p_versions uuid[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(hashtextextended('insights ' || v, 0)) FROM (SELECT DISTINCT v::text AS v FROM unnest(p_versions) v WHERE v IS NOT NULL ORDER BY 1) l;
END $$;
--> statement-breakpoint
-- A sample across its version's rounds: recomputed from the version's units, round samples and flags.
CREATE FUNCTION insight_refresh_samples(p_versions uuid[], p_samples bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF coalesce(array_length(p_versions, 1), 0) = 0 THEN RETURN; END IF;
	PERFORM insight_lock(p_versions);
	WITH x AS (SELECT DISTINCT * FROM unnest(p_versions, p_samples) AS x(version_id, sample_id)),
	t AS (
		SELECT x.version_id, x.sample_id, s.id IS NOT NULL AS exists, s.external_id, s.metadata, i.facets, o.contrib AS old, o.version_id IS NOT NULL AS stored
		FROM x LEFT JOIN samples s ON s.id = x.sample_id LEFT JOIN imports i ON i.id = s.import_id
		LEFT JOIN insight_samples o ON o.version_id = x.version_id AND o.sample_id = x.sample_id
	),
	un AS (
		SELECT t.version_id, t.sample_id, bool_or(u.m >= 1) AS started, bool_or(u.covered) AS covered, bool_or(u.a >= 1) AS flagged
		FROM t JOIN insight_units u ON u.version_id = t.version_id AND u.sample_id = t.sample_id
		GROUP BY 1, 2
	),
	mem AS (
		SELECT t.version_id, t.sample_id FROM t
		WHERE EXISTS (SELECT 1 FROM rounds r JOIN round_samples rs ON rs.round_id = r.id AND rs.sample_id = t.sample_id WHERE r.version_id = t.version_id)
	),
	fl AS (
		SELECT t.version_id, t.sample_id, f.category, f.severity, p.user_id, p.role
		FROM t JOIN rounds r ON r.version_id = t.version_id
		JOIN flags f ON f.round_id = r.id AND f.sample_id = t.sample_id AND f.kind = 'flag'
		JOIN participants p ON p.id = f.participant_id
	),
	mi AS (
		SELECT version_id, sample_id,
			count(DISTINCT user_id) FILTER (WHERE role = 'community')::int AS community,
			count(DISTINCT user_id) FILTER (WHERE role = 'expert') > 0 AS expert_also,
			max(CASE severity WHEN 'critical' THEN 3 WHEN 'major' THEN 2 WHEN 'minor' THEN 1 ELSE 0 END)::int AS max_severity,
			coalesce(array_agg(DISTINCT category) FILTER (WHERE category IS NOT NULL), '{}') AS categories
		FROM fl GROUP BY 1, 2
	),
	keys AS (
		SELECT version_id, sample_id, insight_key('samples', '', '') AS k, 1 AS n FROM mem
		UNION ALL SELECT version_id, sample_id, insight_key('started', '', ''), 1 FROM un WHERE started
		UNION ALL SELECT version_id, sample_id, insight_key('covered', '', ''), 1 FROM un WHERE covered
		UNION ALL
		SELECT un.version_id, un.sample_id, insight_key(CASE WHEN g.flagged THEN 'rf' ELSE 'r' END, a.attr, coalesce(to_jsonb(t.metadata #>> string_to_array(a.attr, '.'))::text, 'null')), 1
		FROM un JOIN t USING (version_id, sample_id)
		CROSS JOIN LATERAL jsonb_object_keys(coalesce(t.facets, '{}'::jsonb)) AS a(attr)
		CROSS JOIN (VALUES (false), (true)) AS g(flagged)
		WHERE un.started AND (NOT g.flagged OR un.flagged)
		UNION ALL SELECT version_id, sample_id, insight_key('m', '', ''), 1 FROM mi WHERE community = 1
	),
	fresh AS (SELECT version_id, sample_id, jsonb_object_agg(k, n) AS contrib FROM keys GROUP BY 1, 2),
	new_state AS (
		SELECT t.version_id, t.sample_id, t.external_id, t.stored, coalesce(t.old, '{}'::jsonb) AS old,
			t.exists AND f.contrib IS NOT NULL AS present,
			CASE WHEN t.exists THEN coalesce(f.contrib, '{}'::jsonb) ELSE '{}'::jsonb END AS contrib,
			coalesce(mi.community, 0) AS community, coalesce(mi.expert_also, false) AS expert_also,
			coalesce(mi.max_severity, 0) AS max_severity, coalesce(mi.categories, '{}') AS categories
		FROM t LEFT JOIN fresh f USING (version_id, sample_id) LEFT JOIN mi USING (version_id, sample_id)
	),
	delta AS (
		SELECT version_id, k, sum(n)::bigint AS n FROM (
			SELECT version_id, e.key AS k, e.value::bigint AS n FROM new_state, jsonb_each_text(contrib) e
			UNION ALL
			SELECT version_id, e.key, -(e.value::bigint) FROM new_state, jsonb_each_text(old) e
		) d GROUP BY 1, 2 HAVING sum(n) <> 0
	),
	counted AS (
		INSERT INTO insight_counts AS c (version_id, round_id, kind, attr, key, n)
		SELECT version_id, NULL, split_part(k, E'\x1f', 1), split_part(k, E'\x1f', 2), split_part(k, E'\x1f', 3), n FROM delta ORDER BY 1, 3, 4, 5
		ON CONFLICT ON CONSTRAINT insight_counts_key DO UPDATE SET n = c.n + excluded.n
	),
	dropped AS (
		DELETE FROM insight_samples o USING new_state n
		WHERE NOT n.present AND n.stored AND o.version_id = n.version_id AND o.sample_id = n.sample_id
	)
	INSERT INTO insight_samples AS o (version_id, sample_id, external_id, community, expert_also, max_severity, categories, contrib)
	SELECT version_id, sample_id, external_id, community, expert_also, max_severity, categories, contrib FROM new_state
	WHERE present
	ON CONFLICT (version_id, sample_id) DO UPDATE SET community = excluded.community, expert_also = excluded.expert_also,
		max_severity = excluded.max_severity, categories = excluded.categories, contrib = excluded.contrib
	WHERE (o.community, o.expert_also, o.max_severity, o.categories, o.contrib) IS DISTINCT FROM (excluded.community, excluded.expert_also, excluded.max_severity, excluded.categories, excluded.contrib);
END $$;
--> statement-breakpoint
-- Units (a sample in a round): recomputed from their own reviews and flags, a few rows each; the
-- difference between the new contribution and the stored one is added to the round's counters.
CREATE FUNCTION insight_refresh_units(p_rounds uuid[], p_samples bigint[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_versions uuid[];
	v_samples bigint[];
BEGIN
	IF coalesce(array_length(p_rounds, 1), 0) = 0 THEN RETURN; END IF;
	PERFORM insight_lock(array(SELECT DISTINCT version_id FROM rounds WHERE id = ANY(p_rounds)));
	WITH x AS (SELECT DISTINCT * FROM unnest(p_rounds, p_samples) AS x(round_id, sample_id)),
	t AS (
		SELECT x.round_id, x.sample_id, coalesce(r.version_id, o.version_id) AS version_id, r.overlap,
			r.id IS NOT NULL AND s.id IS NOT NULL AS exists, s.external_id, s.metadata, i.facets, o.contrib AS old, o.round_id IS NOT NULL AS stored
		FROM x LEFT JOIN rounds r ON r.id = x.round_id LEFT JOIN samples s ON s.id = x.sample_id LEFT JOIN imports i ON i.id = s.import_id
		LEFT JOIN insight_units o ON o.round_id = x.round_id AND o.sample_id = x.sample_id
	),
	rv AS (
		SELECT t.round_id, t.sample_id, p.role, rv.verdict, count(*)::int AS n
		FROM t JOIN reviews rv ON rv.round_id = t.round_id AND rv.sample_id = t.sample_id
		JOIN participants p ON p.id = rv.participant_id
		GROUP BY 1, 2, 3, 4
	),
	fl AS (
		SELECT t.round_id, t.sample_id, f.category, f.severity, f.participant_id, p.role
		FROM t JOIN flags f ON f.round_id = t.round_id AND f.sample_id = t.sample_id AND f.kind = 'flag'
		JOIN participants p ON p.id = f.participant_id
	),
	ma AS (
		SELECT round_id, sample_id,
			(coalesce(sum(n) FILTER (WHERE verdict <> 'skipped'), 0))::int AS m,
			(coalesce(sum(n) FILTER (WHERE verdict = 'flagged'), 0))::int AS a
		FROM rv GROUP BY 1, 2
	),
	mi AS (
		SELECT round_id, sample_id,
			count(DISTINCT participant_id) FILTER (WHERE role = 'community')::int AS community,
			count(DISTINCT participant_id) FILTER (WHERE role = 'expert') > 0 AS expert_also,
			max(CASE severity WHEN 'critical' THEN 3 WHEN 'major' THEN 2 WHEN 'minor' THEN 1 ELSE 0 END)::int AS max_severity,
			coalesce(array_agg(DISTINCT category) FILTER (WHERE category IS NOT NULL), '{}') AS categories
		FROM fl GROUP BY 1, 2
	),
	keys AS (
		SELECT round_id, sample_id, insight_key('v', '', role || '/' || verdict) AS k, n FROM rv
		UNION ALL
		SELECT round_id, sample_id, insight_key('f', '', category || '/' || severity), count(*)::int FROM fl
		WHERE category IS NOT NULL AND severity IS NOT NULL GROUP BY 1, 2, 3
		UNION ALL SELECT round_id, sample_id, insight_key('started', '', ''), 1 FROM ma WHERE m >= 1
		UNION ALL SELECT ma.round_id, ma.sample_id, insight_key('covered', '', ''), 1 FROM ma JOIN t USING (round_id, sample_id) WHERE ma.m >= 1 AND ma.m >= t.overlap
		UNION ALL SELECT round_id, sample_id, insight_key('p', '', m || '/' || a), 1 FROM ma WHERE m >= 2
		UNION ALL
		SELECT c.round_id, c.sample_id, insight_key('c', '', c.category || '/' || ma.m || '/' || c.n), 1
		FROM (SELECT round_id, sample_id, category, count(DISTINCT participant_id)::int AS n FROM fl WHERE category IS NOT NULL GROUP BY 1, 2, 3) c
		JOIN ma USING (round_id, sample_id) WHERE ma.m >= 2
		UNION ALL
		SELECT ma.round_id, ma.sample_id, insight_key(CASE WHEN g.flagged THEN 'rf' ELSE 'r' END, a.attr, coalesce(to_jsonb(t.metadata #>> string_to_array(a.attr, '.'))::text, 'null')), 1
		FROM ma JOIN t USING (round_id, sample_id)
		CROSS JOIN LATERAL jsonb_object_keys(coalesce(t.facets, '{}'::jsonb)) AS a(attr)
		CROSS JOIN (VALUES (false), (true)) AS g(flagged)
		WHERE ma.m >= 1 AND (NOT g.flagged OR ma.a >= 1)
		UNION ALL SELECT round_id, sample_id, insight_key('m', '', ''), 1 FROM mi WHERE community = 1
	),
	fresh AS (SELECT round_id, sample_id, jsonb_object_agg(k, n) AS contrib FROM keys GROUP BY 1, 2),
	new_state AS (
		SELECT t.round_id, t.sample_id, t.version_id, t.external_id, t.stored, coalesce(t.old, '{}'::jsonb) AS old,
			t.exists AND f.contrib IS NOT NULL AS present,
			CASE WHEN t.exists THEN coalesce(f.contrib, '{}'::jsonb) ELSE '{}'::jsonb END AS contrib,
			coalesce(ma.m, 0) AS m, coalesce(ma.a, 0) AS a, coalesce(ma.m >= 1 AND ma.m >= t.overlap, false) AS covered,
			coalesce(mi.community, 0) AS community, coalesce(mi.expert_also, false) AS expert_also,
			coalesce(mi.max_severity, 0) AS max_severity, coalesce(mi.categories, '{}') AS categories
		FROM t LEFT JOIN fresh f USING (round_id, sample_id) LEFT JOIN ma USING (round_id, sample_id) LEFT JOIN mi USING (round_id, sample_id)
	),
	delta AS (
		SELECT version_id, round_id, k, sum(n)::bigint AS n FROM (
			SELECT version_id, round_id, e.key AS k, e.value::bigint AS n FROM new_state, jsonb_each_text(contrib) e
			UNION ALL
			SELECT version_id, round_id, e.key, -(e.value::bigint) FROM new_state, jsonb_each_text(old) e
		) d WHERE version_id IS NOT NULL GROUP BY 1, 2, 3 HAVING sum(n) <> 0
	),
	counted AS (
		INSERT INTO insight_counts AS c (version_id, round_id, kind, attr, key, n)
		SELECT version_id, round_id, split_part(k, E'\x1f', 1), split_part(k, E'\x1f', 2), split_part(k, E'\x1f', 3), n FROM delta ORDER BY 1, 2, 3
		ON CONFLICT ON CONSTRAINT insight_counts_key DO UPDATE SET n = c.n + excluded.n
	),
	dropped AS (
		DELETE FROM insight_units o USING new_state n
		WHERE NOT n.present AND n.stored AND o.round_id = n.round_id AND o.sample_id = n.sample_id
	)
	INSERT INTO insight_units AS o (round_id, sample_id, version_id, external_id, m, a, covered, community, expert_also, max_severity, categories, contrib)
	SELECT round_id, sample_id, version_id, external_id, m, a, covered, community, expert_also, max_severity, categories, contrib FROM new_state WHERE present
	ON CONFLICT (round_id, sample_id) DO UPDATE SET m = excluded.m, a = excluded.a, covered = excluded.covered, community = excluded.community,
		expert_also = excluded.expert_also, max_severity = excluded.max_severity, categories = excluded.categories, contrib = excluded.contrib
	WHERE (o.m, o.a, o.covered, o.community, o.expert_also, o.max_severity, o.categories, o.contrib)
		IS DISTINCT FROM (excluded.m, excluded.a, excluded.covered, excluded.community, excluded.expert_also, excluded.max_severity, excluded.categories, excluded.contrib);
	-- The samples across the version (a sample, a person counts once there).
	SELECT array_agg(r.version_id), array_agg(x.sample_id) INTO v_versions, v_samples
	FROM (SELECT DISTINCT * FROM unnest(p_rounds, p_samples) AS x(round_id, sample_id)) x JOIN rounds r ON r.id = x.round_id;
	PERFORM insight_refresh_samples(v_versions, v_samples);
END $$;
--> statement-breakpoint
CREATE FUNCTION insight_reviews_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_rounds uuid[];
	v_samples bigint[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT array_agg(round_id), array_agg(sample_id) INTO v_rounds, v_samples FROM (SELECT DISTINCT round_id, sample_id FROM new_rows) x;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(round_id), array_agg(sample_id) INTO v_rounds, v_samples FROM (SELECT DISTINCT round_id, sample_id FROM old_rows) x;
	ELSE
		-- Only what the figures read: a review's edit count or time changes nothing.
		SELECT array_agg(round_id), array_agg(sample_id) INTO v_rounds, v_samples FROM (
			SELECT n.round_id, n.sample_id FROM new_rows n JOIN old_rows o ON o.id = n.id
			WHERE (n.round_id, n.sample_id, n.participant_id, n.verdict) IS DISTINCT FROM (o.round_id, o.sample_id, o.participant_id, o.verdict)
			UNION
			SELECT o.round_id, o.sample_id FROM new_rows n JOIN old_rows o ON o.id = n.id
			WHERE (n.round_id, n.sample_id, n.participant_id, n.verdict) IS DISTINCT FROM (o.round_id, o.sample_id, o.participant_id, o.verdict)) x;
	END IF;
	PERFORM insight_refresh_units(v_rounds, v_samples);
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION insight_flags_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_rounds uuid[];
	v_samples bigint[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT array_agg(round_id), array_agg(sample_id) INTO v_rounds, v_samples FROM (SELECT DISTINCT round_id, sample_id FROM new_rows WHERE sample_id IS NOT NULL) x;
	ELSIF TG_OP = 'DELETE' THEN
		SELECT array_agg(round_id), array_agg(sample_id) INTO v_rounds, v_samples FROM (SELECT DISTINCT round_id, sample_id FROM old_rows WHERE sample_id IS NOT NULL) x;
	ELSE
		-- Linking a flag to its issue (issue_id) or editing its text changes no figure.
		SELECT array_agg(round_id), array_agg(sample_id) INTO v_rounds, v_samples FROM (
			SELECT n.round_id, n.sample_id FROM new_rows n JOIN old_rows o ON o.id = n.id
			WHERE n.sample_id IS NOT NULL AND (n.round_id, n.sample_id, n.participant_id, n.kind, n.category, n.severity) IS DISTINCT FROM (o.round_id, o.sample_id, o.participant_id, o.kind, o.category, o.severity)
			UNION
			SELECT o.round_id, o.sample_id FROM new_rows n JOIN old_rows o ON o.id = n.id
			WHERE o.sample_id IS NOT NULL AND (n.round_id, n.sample_id, n.participant_id, n.kind, n.category, n.severity) IS DISTINCT FROM (o.round_id, o.sample_id, o.participant_id, o.kind, o.category, o.severity)) x;
	END IF;
	PERFORM insight_refresh_units(v_rounds, v_samples);
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION insight_round_samples_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_versions uuid[];
	v_samples bigint[];
BEGIN
	IF TG_OP = 'INSERT' THEN
		SELECT array_agg(r.version_id), array_agg(x.sample_id) INTO v_versions, v_samples FROM (SELECT DISTINCT round_id, sample_id FROM new_rows) x JOIN rounds r ON r.id = x.round_id;
	ELSE
		SELECT array_agg(r.version_id), array_agg(x.sample_id) INTO v_versions, v_samples FROM (SELECT DISTINCT round_id, sample_id FROM old_rows) x JOIN rounds r ON r.id = x.round_id;
	END IF;
	PERFORM insight_refresh_samples(v_versions, v_samples);
	RETURN NULL;
END $$;
--> statement-breakpoint
-- A round's overlap decides which of its units are covered.
CREATE FUNCTION insight_rounds_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	v_rounds uuid[];
	v_samples bigint[];
BEGIN
	SELECT array_agg(u.round_id), array_agg(u.sample_id) INTO v_rounds, v_samples
	FROM new_rows n JOIN old_rows o ON o.id = n.id JOIN insight_units u ON u.round_id = n.id
	WHERE n.overlap <> o.overlap;
	PERFORM insight_refresh_units(v_rounds, v_samples);
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER insight_reviews_insert AFTER INSERT ON reviews REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_reviews_changed();
--> statement-breakpoint
CREATE TRIGGER insight_reviews_update AFTER UPDATE ON reviews REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_reviews_changed();
--> statement-breakpoint
CREATE TRIGGER insight_reviews_delete AFTER DELETE ON reviews REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_reviews_changed();
--> statement-breakpoint
CREATE TRIGGER insight_flags_insert AFTER INSERT ON flags REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_flags_changed();
--> statement-breakpoint
CREATE TRIGGER insight_flags_update AFTER UPDATE ON flags REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_flags_changed();
--> statement-breakpoint
CREATE TRIGGER insight_flags_delete AFTER DELETE ON flags REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_flags_changed();
--> statement-breakpoint
CREATE TRIGGER insight_round_samples_insert AFTER INSERT ON round_samples REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_round_samples_changed();
--> statement-breakpoint
CREATE TRIGGER insight_round_samples_delete AFTER DELETE ON round_samples REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_round_samples_changed();
--> statement-breakpoint
CREATE TRIGGER insight_rounds_update AFTER UPDATE ON rounds REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION insight_rounds_changed();
--> statement-breakpoint
-- The repair: a version's figures recomputed from its raw rows (npm run insights:rebuild).
CREATE FUNCTION insight_rebuild(p_version uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	v_rounds uuid[];
	v_samples bigint[];
BEGIN
	PERFORM insight_lock(ARRAY[p_version]);
	DELETE FROM insight_counts WHERE version_id = p_version;
	DELETE FROM insight_units WHERE version_id = p_version;
	DELETE FROM insight_samples WHERE version_id = p_version;
	SELECT array_agg(round_id), array_agg(sample_id) INTO v_rounds, v_samples FROM (
		SELECT rv.round_id, rv.sample_id FROM reviews rv JOIN rounds r ON r.id = rv.round_id WHERE r.version_id = p_version
		UNION
		SELECT f.round_id, f.sample_id FROM flags f JOIN rounds r ON r.id = f.round_id WHERE r.version_id = p_version AND f.sample_id IS NOT NULL) x;
	PERFORM insight_refresh_units(v_rounds, v_samples);
	SELECT array_agg(p_version), array_agg(sample_id) INTO v_rounds, v_samples FROM (
		SELECT DISTINCT rs.sample_id FROM round_samples rs JOIN rounds r ON r.id = rs.round_id WHERE r.version_id = p_version) x;
	PERFORM insight_refresh_samples(v_rounds, v_samples);
END $$;
--> statement-breakpoint
SELECT insight_rebuild(id) FROM versions;
