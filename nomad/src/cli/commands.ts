import { parseArgs } from 'node:util'
import { type NomadApi } from '../api/nomad-api.client'
import { isLiveAllocation, inspectWorkspace, type NomadWorkspaceStatus } from '../driver/nomad.driver'
import { DEFAULT_CPU_MHZ_PER_VCPU, isPlanName, PLAN_LIMITS, resourcesForPlan } from '../job/plan-limits'
import { parseDuration, table } from './table'

export const USAGE = `Usage: pnpm nomad <command> [--json]

  workspaces list                       every workspace job with its allocations and health
  workspaces inspect <workspaceId>      one workspace: job, allocations, latest deployment
  workspaces reschedule <workspaceId>   stop its allocations; Nomad places replacements
  workspaces plan <workspaceId>         its plan, the plan's limits and what Nomad allocated
  workspaces usage <workspaceId>        the same as plan
  nodes list                            client nodes with eligibility, drain and allocations
  nodes drain <nodeId> [--deadline 1h] [--reason text]
                                        migrate a node's allocations away, then stop the rest

Connection: NOMAD_ADDR (default http://127.0.0.1:4646), NOMAD_TOKEN, NOMAD_REGION, NOMAD_NAMESPACE;
--addr overrides NOMAD_ADDR. Exit codes: 0 done, 1 Nomad refused or failed, 2 bad usage.
`

export interface CliIo {
  out(text: string): void
  err(text: string): void
}

class UsageError extends Error {}

/** Runs one operator command against `api`; returns the exit code. */
export async function runCli(argv: string[], api: NomadApi, io: CliIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        deadline: { type: 'string', default: '1h' },
        reason: { type: 'string', default: 'drained with pnpm nomad' },
        addr: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    })
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  const [area, command, target] = positionals
  if (values.help || !area) {
    ;(values.help ? io.out : io.err)(USAGE)
    return values.help ? 0 : 2
  }
  const print = (json: unknown, text: () => string) => io.out(values.json ? JSON.stringify(json, null, 2) + '\n' : text())
  const need = (what: string) => {
    if (!target) throw new UsageError(`${area} ${command} needs a ${what}`)
    return target
  }
  try {
    switch (`${area} ${command ?? ''}`) {
      case 'workspaces list': {
        const jobs = await api.listJobs('workspace-')
        const statuses = await mapLimited(jobs, 8, (j) => inspectWorkspace(api, (j.ID ?? '').replace(/^workspace-/, '')))
        print(statuses, () =>
          statuses.length
            ? table(['WORKSPACE', 'PLAN', 'STATE', 'DESIRED', 'RUNNING', 'HEALTH', 'NODES'], statuses.map(listRow))
            : 'No workspace jobs in this region/namespace. Workspaces appear when the platform starts their first run.\n',
        )
        return 0
      }
      case 'workspaces inspect': {
        const status = await inspectWorkspace(api, need('workspace id'))
        if (status.state === 'absent') return notFound(io, status.jobId)
        const job = await api.getJob(status.jobId)
        print({ ...status, meta: job?.Meta ?? {} }, () => inspectText(status, job?.Meta ?? {}))
        return 0
      }
      case 'workspaces reschedule': {
        const status = await inspectWorkspace(api, need('workspace id'))
        if (status.state === 'absent') return notFound(io, status.jobId)
        const live = (await api.jobAllocations(status.jobId)).filter(isLiveAllocation)
        if (!live.length) {
          io.err(`${status.jobId} has no running allocation to reschedule (state: ${status.state}).\n`)
          return 1
        }
        const stopped: { allocationId?: string; nodeId?: string; evalId?: string }[] = []
        for (const alloc of live) {
          const answer = await api.stopAllocation(alloc.ID ?? '')
          stopped.push({ allocationId: alloc.ID, nodeId: alloc.NodeID, evalId: answer.EvalID })
        }
        print({ jobId: status.jobId, stopped }, () =>
          `Stopped ${stopped.length} allocation(s) of ${status.jobId}; Nomad is placing replacements.\n` +
          table(['ALLOCATION', 'NODE', 'EVALUATION'], stopped.map((s) => [short(s.allocationId), short(s.nodeId), short(s.evalId)])),
        )
        return 0
      }
      case 'workspaces plan':
      case 'workspaces usage': {
        const status = await inspectWorkspace(api, need('workspace id'))
        if (status.state === 'absent') return notFound(io, status.jobId)
        const plan = status.plan ?? ''
        const limits = isPlanName(plan) ? { ...PLAN_LIMITS[plan], ...resourcesForPlan(plan) } : undefined
        const matches = !!limits && !!status.resources && limits.cpuMhz === status.resources.cpuMhz && limits.memoryMb === status.resources.memoryMb
        const live = status.allocations.filter((a) => a.desiredStatus === 'run' && (a.clientStatus === 'running' || a.clientStatus === 'pending'))
        const report = { workspaceId: status.workspaceId, plan, planLimits: limits, allocated: status.resources, runningAllocations: live.length, matchesPlan: matches, cpuMhzPerVcpu: DEFAULT_CPU_MHZ_PER_VCPU }
        print(report, () =>
          table(
            ['', 'MEMORY MB', 'CPU MHZ', 'VCPU', 'DISK MB'],
            [
              [`plan ${plan || '?'}`, limits?.memoryMb ?? '-', limits?.cpuMhz ?? '-', limits?.vcpu ?? '-', limits?.diskMb ?? '-'],
              ['allocated by Nomad', status.resources?.memoryMb ?? '-', status.resources?.cpuMhz ?? '-', '', status.resources?.diskMb ?? '-'],
            ],
          ) +
            `Running allocations: ${live.length} (desired ${status.desired}).\n` +
            (matches ? '' : 'The job does not match its plan: the platform re-registers it on the next plan change or wake.\n') +
            'Live RAM/CPU use comes from the runtime\'s own samples (GET /api/workspace/usage), not from Nomad.\n',
        )
        return 0
      }
      case 'nodes list': {
        const nodes = await api.listNodes()
        const rows = await mapLimited(nodes, 8, async (n) => ({ node: n, allocations: (await api.nodeAllocations(n.ID ?? '')).filter(isLiveAllocation).length }))
        print(rows.map((r) => ({ ...r.node, liveAllocations: r.allocations })), () =>
          rows.length
            ? table(['NODE', 'NAME', 'STATUS', 'ELIGIBILITY', 'DRAIN', 'ALLOCS'], rows.map(({ node: n, allocations }) => [n.ID ?? '', n.Name ?? '', n.Status ?? '', n.SchedulingEligibility ?? '', n.Drain ? 'draining' : '-', allocations]))
            : 'No client nodes have joined this region.\n',
        )
        return 0
      }
      case 'nodes drain': {
        const nodeId = need('node id')
        const deadlineNs = parseDurationOrUsage(values.deadline)
        const answer = await api.drainNode(nodeId, deadlineNs, values.reason)
        print({ nodeId, deadlineNs, ...answer }, () => `Node ${nodeId} is draining (deadline ${values.deadline}); its workspaces move to other nodes.\n`)
        return 0
      }
      default:
        throw new UsageError(`unknown command: ${positionals.join(' ')}`)
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${USAGE}`)
      return 2
    }
    io.err(`${(err as Error).message}\n`)
    return 1
  }
}

function parseDurationOrUsage(text: string): number {
  try {
    return parseDuration(text)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

function notFound(io: CliIo, jobId: string): number {
  io.err(`No Nomad job ${jobId}. List workspaces with: pnpm nomad workspaces list\n`)
  return 1
}

const short = (id: string | undefined) => (id ?? '').slice(0, 8)

function listRow(s: NomadWorkspaceStatus): (string | number)[] {
  const live = s.allocations.filter((a) => a.desiredStatus === 'run' && (a.clientStatus === 'running' || a.clientStatus === 'pending'))
  const unhealthy = live.filter((a) => a.healthy === false).length
  const health = !live.length ? '-' : unhealthy ? `${unhealthy} unhealthy` : live.every((a) => a.clientStatus === 'running') ? 'healthy' : 'starting'
  return [s.workspaceId, s.plan ?? '?', s.state, s.desired, `${live.filter((a) => a.clientStatus === 'running').length}/${live.length}`, health, [...new Set(live.map((a) => short(a.nodeId)))].join(',') || '-']
}

function inspectText(s: NomadWorkspaceStatus, meta: Record<string, string>): string {
  const lines = [
    `Workspace     ${s.workspaceId}  (job ${s.jobId})`,
    `State         ${s.state}, desired ${s.desired}`,
    `Plan          ${s.plan ?? '?'}  user ${meta.user_id || '-'}  organization ${meta.organization_id || '-'}`,
    `Resources     ${s.resources ? `${s.resources.memoryMb} MB, ${s.resources.cpuMhz} MHz, disk ${s.resources.diskMb} MB` : '-'}`,
    `Deployment    ${s.deployment ? `${short(s.deployment.id)} ${s.deployment.status ?? ''} (version ${s.deployment.jobVersion ?? '?'}${s.deployment.promoted ? ', promoted' : ''}) ${s.deployment.description ?? ''}` : '-'}`,
    '',
  ]
  const allocs = s.allocations.length
    ? table(['ALLOCATION', 'NODE', 'VERSION', 'DESIRED', 'STATUS', 'HEALTHY', 'CANARY'], s.allocations.map((a) => [short(a.id), short(a.nodeId), a.jobVersion ?? '', a.desiredStatus ?? '', a.clientStatus ?? '', a.healthy === undefined ? '-' : String(a.healthy), a.canary ? 'yes' : '']))
    : 'No allocations yet.\n'
  return lines.join('\n') + allocs
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        out[i] = await fn(items[i]!)
      }
    }),
  )
  return out
}

