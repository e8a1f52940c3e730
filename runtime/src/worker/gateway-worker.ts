/**
 * Worker-thread entry of one gateway (gateway-host.ts): its clients, connections and circuit live
 * here, inside the thread's own heap limit, so a gateway that misbehaves (a huge answer, a leak in
 * a client library) ends only this thread. Credentials are asked of the main thread per run, as on
 * the main thread, and only for this gateway.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { GatewayInvoker } from '../engine/types'
import { createGatewayCircuits, createGatewayInvoker } from './gateway-invoker'
import type { RuntimeApi } from './runtime-api'
import { buildGatewayFactories } from './gateway-tools'
import type { ToolsConfig } from './run-tools'
import { connectRpc, type RpcPort } from './thread-rpc'

const { config } = workerData as { config: ToolsConfig; gatewayId: string }
const factories = buildGatewayFactories(config)
const circuits = createGatewayCircuits()
const api: Pick<RuntimeApi, 'gateway'> = { gateway: (id) => rpc.call('api.gateway', [id]) }
// One invoker per run, as on the main thread: a run's clients hold the credentials it fetched.
const runs = new Map<string, GatewayInvoker>()

const rpc = connectRpc(parentPort as unknown as RpcPort, {
  invoke([executionId, call], signal) {
    let invoker = runs.get(executionId as string)
    if (!invoker) runs.set(executionId as string, (invoker = createGatewayInvoker(api, factories, circuits)))
    return invoker.invoke({ ...(call as Omit<Parameters<GatewayInvoker['invoke']>[0], 'signal'>), signal })
  },
  endRun([executionId]) {
    runs.delete(executionId as string)
  },
})
