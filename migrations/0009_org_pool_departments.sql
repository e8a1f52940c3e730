DROP INDEX "workspaces_organization_idx";--> statement-breakpoint
ALTER TABLE "executions" ADD COLUMN "department_id" text;--> statement-breakpoint
ALTER TABLE "executions" ADD CONSTRAINT "executions_department_id_departments_id_fk" FOREIGN KEY ("department_id") REFERENCES "public"."departments"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "executions_organization_created_idx" ON "executions" USING btree ("organization_id","created_at") WHERE "executions"."organization_id" is not null;--> statement-breakpoint
CREATE INDEX "executions_department_idx" ON "executions" USING btree ("department_id") WHERE "executions"."department_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "workspaces_organization_key" ON "workspaces" USING btree ("organization_id");