DROP INDEX "executions_service_id_idx";--> statement-breakpoint
DROP INDEX "executions_service_dedup_key";--> statement-breakpoint
CREATE INDEX "executions_service_created_idx" ON "executions" USING btree ("service_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "executions_service_dedup_key" ON "executions" USING btree ("service_id","dedup_key") WHERE "executions"."dedup_key" is not null;