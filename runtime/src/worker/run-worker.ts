/**
 * Worker-thread entry of an isolated run (run-pool.ts): the engine and the steps of one run at a
 * time, inside the thread's own heap limit. Everything that leaves the workspace or touches the
 * platform goes through the main thread: checkpoints, gateway and plugin calls, logs. The workspace token and
 * gateway credentials never enter this thread.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { LeasedJob } from '@2bot/contracts'
import type { GatewayInvoker, PluginInvoker } from '../engine/types'
import { executeJob, RUNTIME_STOPPING, type RunApi } from './run-job'
import { buildRunTools, type ToolsConfig } from './run-tools'
import { connectRpc, type RpcPort } from './thread-rpc'

const tools = buildRunTools((workerData as { config: ToolsConfig }).config)

const rpc = connectRpc(parentPort as unknown as RpcPort, {
  async run(args, signal) {
    const [job, owner] = args as [LeasedJob, string]
    const api: RunApi = {
      stepStarted: (id, input) => rpc.call('api.stepStarted', [id, input]),
      checkpoint: (id, input) => rpc.call('api.checkpoint', [id, input]),
      release: (id, input) => rpc.call('api.release', [id, input]),
    }
    const gateways: GatewayInvoker = { invoke: ({ signal: callSignal, ...call }) => rpc.call('gateway.invoke', [call], callSignal) }
    const plugins: PluginInvoker = { invoke: ({ signal: callSignal, ...call }) => rpc.call('plugin.invoke', [call], callSignal) }
    await executeJob(job, {
      ...tools,
      api,
      owner,
      gateways,
      plugins,
      signal,
      stopping: () => (signal.reason as Error | undefined)?.message === RUNTIME_STOPPING,
      log: (level, msg, fields) => void rpc.call('log', [level, msg, fields]).catch(() => {}),
    })
  },
})
