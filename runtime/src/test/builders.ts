import { validateWorkflow, type WorkflowDefinition } from '@2bot/contracts'
import { abortableSleep } from '../engine/sleep'
import type { CheckpointEvent, EngineDeps, HttpRequest, HttpResponse, StepStartEvent } from '../engine/types'
import { createQuickJsCodeRunner } from '../sandbox/quickjs.code-runner'

/** A validated definition (defaults filled in) from a list of steps. */
export function workflow(steps: unknown[], extra: Record<string, unknown> = {}): WorkflowDefinition {
  const result = validateWorkflow({ trigger: { type: 'manual' }, steps, ...extra })
  if (!result.ok) throw new Error(`invalid test workflow: ${JSON.stringify(result.issues)}`)
  return result.definition
}

export interface GatewayCall {
  gatewayId: string
  action: string
  params: unknown
  idempotencyKey: string
}

/** Engine deps with recording fakes: gateway calls, HTTP requests, checkpoints and waits are kept for assertions. */
export function testDeps(overrides: Partial<EngineDeps> & { gatewayResult?: (call: GatewayCall) => unknown; httpResult?: (req: HttpRequest) => HttpResponse } = {}) {
  const gatewayCalls: GatewayCall[] = []
  const httpRequests: HttpRequest[] = []
  const checkpoints: CheckpointEvent[] = []
  const started: StepStartEvent[] = []
  const sleeps: number[] = []
  let now = 1_000_000
  const deps: EngineDeps = {
    gateways: {
      async invoke({ signal: _signal, ...call }) {
        gatewayCalls.push(call)
        return overrides.gatewayResult ? overrides.gatewayResult(call) : { ok: true, echo: call.params }
      },
    },
    http: {
      async request(req) {
        httpRequests.push(req)
        return overrides.httpResult ? overrides.httpResult(req) : { status: 200, headers: {}, body: { received: true } }
      },
    },
    code: createQuickJsCodeRunner(),
    now: () => now,
    async sleep(ms, signal) {
      sleeps.push(ms)
      now += ms
      if (signal.aborted) throw signal.reason
    },
    random: () => 0.5,
    async checkpoint(event) {
      checkpoints.push(event)
    },
    async stepStarted(event) {
      started.push(event)
    },
    ...overrides,
  }
  return { deps, gatewayCalls, httpRequests, checkpoints, started, sleeps, realSleep: abortableSleep }
}
