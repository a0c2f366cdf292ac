CREATE TABLE "verdict_keys" (
	"participant_id" uuid NOT NULL,
	"key" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "verdict_keys_participant_id_key_pk" PRIMARY KEY("participant_id","key")
);
--> statement-breakpoint
ALTER TABLE "verdict_keys" ADD CONSTRAINT "verdict_keys_participant_id_participants_id_fk" FOREIGN KEY ("participant_id") REFERENCES "public"."participants"("id") ON DELETE cascade ON UPDATE no action;