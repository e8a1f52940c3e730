CREATE TABLE "workspace_usage_samples" (
	"id" text PRIMARY KEY NOT NULL,
	"workspace_id" text NOT NULL,
	"sampled_at" timestamp with time zone DEFAULT now() NOT NULL,
	"memory_bytes" bigint NOT NULL,
	"memory_limit_bytes" bigint,
	"cpu_millicores" integer NOT NULL,
	"cpu_limit_millicores" integer,
	"storage_bytes" bigint DEFAULT 0 NOT NULL,
	"active_runs" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "keep_alive" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "slept_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "usage_alert_level" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "workspace_usage_samples" ADD CONSTRAINT "workspace_usage_samples_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "workspace_usage_samples_workspace_time_idx" ON "workspace_usage_samples" USING btree ("workspace_id","sampled_at");