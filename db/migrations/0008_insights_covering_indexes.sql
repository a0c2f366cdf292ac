DROP INDEX "flags_round_sample_idx";--> statement-breakpoint
DROP INDEX "reviews_round_sample_idx";--> statement-breakpoint
CREATE INDEX "flags_round_sample_cover_idx" ON "flags" USING btree ("round_id","sample_id","kind","category","severity","participant_id","review_id");--> statement-breakpoint
CREATE INDEX "reviews_round_sample_cover_idx" ON "reviews" USING btree ("round_id","sample_id","verdict","participant_id","id");