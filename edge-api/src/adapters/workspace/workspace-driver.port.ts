/**
 * Where a user's or organization's workspace runs: a child process (embedded default), Docker via
 * dockerode, or a Nomad job. The drivers arrive with the workspace issue; the API depends only on this.
 */
export interface WorkspaceDriver {
  readonly kind: 'process' | 'docker' | 'nomad' | 'none'
}

export const noWorkspaceDriver: WorkspaceDriver = { kind: 'none' }
