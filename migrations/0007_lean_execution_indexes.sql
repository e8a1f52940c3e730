DROP INDEX "executions_status_idx";--> statement-breakpoint
DROP INDEX "execution_steps_execution_id_idx";