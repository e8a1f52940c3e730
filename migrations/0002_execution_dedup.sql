ALTER TABLE "executions" ADD COLUMN "dedup_key" text;--> statement-breakpoint
CREATE UNIQUE INDEX "executions_service_dedup_key" ON "executions" USING btree ("service_id","dedup_key");