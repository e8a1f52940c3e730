DROP INDEX "execution_steps_exec_step_attempt_key";--> statement-breakpoint
ALTER TABLE "execution_steps" ADD COLUMN "lease" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "execution_steps_exec_step_lease_attempt_key" ON "execution_steps" USING btree ("execution_id","step_id","lease","attempt");