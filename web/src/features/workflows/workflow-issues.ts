import { validateWorkflow, type WorkflowIssue } from '@2bot/contracts'
import { TRIGGER_NODE_ID } from './workflow-graph'

/** The node an issue belongs to: its step, the trigger for `trigger.*` paths, or none (summary only). */
export function issueNodeId(issue: WorkflowIssue): string | undefined {
  if (issue.stepId) return issue.stepId
  if (issue.path === 'trigger' || issue.path.startsWith('trigger.')) return TRIGGER_NODE_ID
  return undefined
}

/** Validates a definition and groups the issues by canvas node id. */
export function checkWorkflow(definition: unknown): { issues: WorkflowIssue[]; byNode: Map<string, WorkflowIssue[]> } {
  const result = validateWorkflow(definition)
  const issues = result.ok ? [] : result.issues
  const byNode = new Map<string, WorkflowIssue[]>()
  for (const issue of issues) {
    const id = issueNodeId(issue)
    if (id) byNode.set(id, [...(byNode.get(id) ?? []), issue])
  }
  return { issues, byNode }
}
