/**
 * Where a user's or organization's workspace runs: a child process (embedded default), Docker via
 * dockerode, or a Nomad job. The API asks for a workspace to be running when work arrives for it.
 */
export interface WorkspaceDriver {
  readonly kind: 'process' | 'docker' | 'nomad' | 'in-process' | 'none'
  /** Its runtimes run each service run and each gateway in a thread of its own (WORKSPACE_BULKHEADS). */
  readonly bulkheads?: boolean
  /**
   * Starts the workspace's runtime unless it already runs. `issueToken` mints the token the new
   * runtime authenticates with (each start gets a fresh one).
   */
  ensureRunning(workspaceId: string, issueToken: () => Promise<string>): Promise<void>
  stop(workspaceId: string): Promise<void>
  stopAll(): Promise<void>
  /**
   * Light sleep: freeze the runtime (no CPU; memory kept) so the next ensureRunning wakes it in
   * milliseconds. Drivers without it sleep by stopping. `stop` ends a light sleep for good.
   */
  sleep?(workspaceId: string): Promise<void>
  /** Workspaces this driver has running right now (for the sleep and usage sampler). */
  awake?(): string[]
  /** What the engine says about the workspace right now (drivers that can tell). */
  status?(workspaceId: string): Promise<WorkspaceRuntimeStatus>
  /** One usage reading (memory, CPU, runs in flight); undefined when it does not run. */
  usage?(workspaceId: string): Promise<WorkspaceUsage | undefined>
  /**
   * The plan changed: continue with the new limits without losing or doubling a job — start a
   * successor with the new limits, wait until it is healthy, then drain and stop the old one.
   * Does nothing when the workspace is not running (the next start uses the new limits).
   */
  resize?(workspaceId: string, issueToken: () => Promise<string>): Promise<void>
}

/** Memory and CPU a workspace may use, from its plan. */
export interface WorkspaceLimits {
  memoryMb: number
  /** Cores (0.5 = half a core). */
  cpus: number
}

export type WorkspaceRuntimeState = 'running' | 'starting' | 'restarting' | 'sleeping' | 'stopped' | 'crashed'

export interface WorkspaceRuntimeStatus {
  state: WorkspaceRuntimeState
  /** The engine's id for the container/process/allocation. */
  instanceId?: string
  startedAt?: string
  /** How often the engine restarted it after a crash (restart policy). */
  restarts: number
  /** True when the last exit was the kernel's OOM killer. */
  oomKilled?: boolean
  limits?: WorkspaceLimits
}

export interface WorkspaceUsage {
  memoryBytes: number
  memoryLimitBytes: number | null
  /** Cores in use (1 = one full core), averaged since the previous reading. */
  cpuCores: number
  cpuLimitCores: number | null
  /** Bytes the workspace wrote to its own filesystem layer. */
  storageBytes: number
  /** Workflow runs (services, plugins, gateway work) in flight. */
  activeRuns: number
  /** Plugins loaded in their sandboxes (a thread each), where the runtime reports them. */
  activePlugins?: number
}

/** For homes where runtimes are started elsewhere (or by tests): work waits in the queue. */
export const noWorkspaceDriver: WorkspaceDriver = {
  kind: 'none',
  async ensureRunning() {},
  async stop() {},
  async stopAll() {},
}
