import { readFileSync } from 'node:fs'
import hcl from 'hcl2-parser'
import { describe, expect, it } from 'vitest'
import { resourcesForPlan } from './plan-limits'
import { buildWorkspaceJob } from './workspace-job'

/**
 * `jobs/workspace.nomad.hcl` is what operators read and run; `buildWorkspaceJob` is what the driver
 * submits. This test parses the HCL (hcl2-parser: HashiCorp's HCL2 parser compiled to JS), fills in
 * its variables, maps every block and attribute to the API's JSON names and compares the whole job.
 * A key the mapping does not know fails the test, so neither side can grow a field alone.
 */
type Block = Record<string, unknown>
const HCL_PATH = new URL('../../jobs/workspace.nomad.hcl', import.meta.url)

function parseHcl(): Block {
  const [parsed, error] = hcl.parseToObject(readFileSync(HCL_PATH, 'utf8')) as [Block | null, unknown]
  if (!parsed) throw new Error(`workspace.nomad.hcl does not parse: ${JSON.stringify(error)}`)
  return parsed
}

const duration = (s: unknown): number => {
  const m = /^(\d+)(s|m|h)$/.exec(String(s))
  if (!m) throw new Error(`not a duration: ${String(s)}`)
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as 's' | 'm' | 'h'] * 1_000_000_000
}

function withVars(value: unknown, vars: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{var\.(\w+)\}$/.exec(value)
    if (whole) return vars[whole[1]!]
    return value.replace(/\$\{var\.(\w+)\}/g, (_, name: string) => String(vars[name]))
  }
  if (Array.isArray(value)) return value.map((v) => withVars(v, vars))
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withVars(v, vars)]))
  return value
}

/** Maps `{hclKey: [apiKey, convert?]}` strictly: unknown keys throw. */
function map(block: Block, fields: Record<string, [string, ((v: unknown) => unknown)?]>, where: string): Block {
  const out: Block = {}
  for (const [key, value] of Object.entries(block)) {
    const rule = fields[key]
    if (!rule) throw new Error(`${where}: HCL key "${key}" has no JSON counterpart in this check`)
    out[rule[0]] = rule[1] ? rule[1](value) : value
  }
  return out
}
const one = (v: unknown) => (v as Block[])[0]!

function hclToJob(root: Block, workspaceId: string): Block {
  const [label, [job]] = Object.entries(root.job as Record<string, Block[]>)[0]!
  // Nomad takes block labels literally; operators replace WORKSPACE_ID (see the file's header).
  const id = label.replace('WORKSPACE_ID', workspaceId)
  const task = (tname: string, t: Block) => ({
    Name: tname,
    ...map(t, {
      driver: ['Driver'],
      kill_timeout: ['KillTimeout', duration],
      config: ['Config', one],
      env: ['Env', one],
      template: ['Templates', (tt) => (tt as Block[]).map((x) => map(x, { data: ['EmbeddedTmpl'], destination: ['DestPath'], env: ['Envvars'], change_mode: ['ChangeMode'] }, 'template'))],
      resources: ['Resources', (r) => map(one(r), { cpu: ['CPU'], memory: ['MemoryMB'] }, 'resources')],
      logs: ['LogConfig', (l) => map(one(l), { max_files: ['MaxFiles'], max_file_size: ['MaxFileSizeMB'] }, 'logs')],
    }, `task ${tname}`),
  })
  const group = (name: string, g: Block) => ({
    Name: name,
    ...map(g, {
      count: ['Count'],
      scaling: ['Scaling', (s) => map(one(s), { enabled: ['Enabled'], min: ['Min'], max: ['Max'] }, 'scaling')],
      restart: ['RestartPolicy', (r) => map(one(r), { attempts: ['Attempts'], interval: ['Interval', duration], delay: ['Delay', duration], mode: ['Mode'] }, 'restart')],
      reschedule: ['ReschedulePolicy', (r) => map(one(r), { unlimited: ['Unlimited'], delay: ['Delay', duration], delay_function: ['DelayFunction'], max_delay: ['MaxDelay', duration] }, 'reschedule')],
      ephemeral_disk: ['EphemeralDisk', (d) => map(one(d), { size: ['SizeMB'] }, 'ephemeral_disk')],
      network: ['Networks', (n) => [{ DynamicPorts: Object.entries(one(n).port as Record<string, Block[]>).map(([l, [p]]) => ({ Label: l, ...map(p!, { to: ['To'] }, 'port') })) }]],
      service: ['Services', (ss) => (ss as Block[]).map((s) => map(s, {
        name: ['Name'], provider: ['Provider'], port: ['PortLabel'], tags: ['Tags'],
        check: ['Checks', (cs) => (cs as Block[]).map((c) => map(c, { name: ['Name'], type: ['Type'], path: ['Path'], interval: ['Interval', duration], timeout: ['Timeout', duration] }, 'check'))],
      }, 'service'))],
      task: ['Tasks', (ts) => Object.entries(ts as Record<string, Block[]>).map(([tname, [t]]) => task(tname, t!))],
    }, `group ${name}`),
  })
  return {
    ID: id,
    Name: id,
    ...map(job!, {
      type: ['Type'],
      datacenters: ['Datacenters'],
      meta: ['Meta', one],
      update: ['Update', (u) => map(one(u), {
        max_parallel: ['MaxParallel'], canary: ['Canary'], auto_promote: ['AutoPromote'], auto_revert: ['AutoRevert'], health_check: ['HealthCheck'],
        min_healthy_time: ['MinHealthyTime', duration], healthy_deadline: ['HealthyDeadline', duration], progress_deadline: ['ProgressDeadline', duration], stagger: ['Stagger', duration],
      }, 'update')],
      group: ['TaskGroups', (gs) => Object.entries(gs as Record<string, Block[]>).map(([name, [g]]) => group(name, g!))],
    }, 'job'),
  }
}

describe('jobs/workspace.nomad.hcl matches the JSON the driver submits', () => {
  it.each(['FREE', 'PRO', 'ENTERPRISE'] as const)('for a %s workspace', (plan) => {
    const resources = resourcesForPlan(plan)
    const json = buildWorkspaceJob({ workspaceId: 'abc', userId: 'u1', organizationId: null, plan, resources, image: 'img:2', apiUrl: 'https://api.example', count: 1 })
    const root = parseHcl()
    const vars: Record<string, unknown> = {
      workspace_id: 'abc', user_id: 'u1', organization_id: '', plan, memory_mb: resources.memoryMb, cpu_mhz: resources.cpuMhz,
      disk_mb: resources.diskMb, image: 'img:2', api_url: 'https://api.example', instance_count: 1, datacenters: ['*'],
    }
    // Every variable the HCL declares is one this check sets.
    expect(Object.keys(root.variable as Block).sort()).toEqual(Object.keys(vars).sort())
    const fromHcl = hclToJob(withVars({ job: root.job }, vars) as Block, 'abc')
    expect(fromHcl).toEqual(json)
  })
})
