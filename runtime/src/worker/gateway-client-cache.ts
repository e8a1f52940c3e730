import type { GatewayClient } from '../gateways/gateway-client'
import { buildGatewayClient, type GatewayFactories } from './gateway-invoker'
import type { RuntimeApi } from './runtime-api'

const IDLE_MS = 10 * 60_000

/**
 * Gateway clients kept across runs: a run's lease carries each gateway's stamp (its last write), and
 * a client built from the same stamp is reused, with its connections and its credentials, instead of
 * fetching the credentials and opening new connections for every run. A new stamp (new key, new
 * config, a deleted gateway has none) builds a new client. Clients idle for 10 minutes are dropped.
 */
export function createGatewayClientCache(api: Pick<RuntimeApi, 'gateway'>, factories: GatewayFactories, opts: { idleMs?: number; now?: () => number } = {}) {
  const idleMs = opts.idleMs ?? IDLE_MS
  const now = opts.now ?? Date.now
  const entries = new Map<string, { stamp?: string; client: Promise<GatewayClient>; usedAt: number }>()

  const sweep = (at: number) => {
    for (const [id, entry] of entries) if (at - entry.usedAt > idleMs) entries.delete(id)
  }

  const build = (gatewayId: string) => {
    let resolveStamp: (stamp: string | undefined) => void = () => {}
    const stamp = new Promise<string | undefined>((r) => (resolveStamp = r))
    const client = api.gateway(gatewayId).then((gw) => {
      resolveStamp(gw.stamp)
      return buildGatewayClient(gw, factories)
    })
    return { client, stamp }
  }

  return {
    /** A client for this gateway; `stamp` is what the run's lease says it is (none: not reused). */
    clientFor(gatewayId: string, stamp: string | undefined): Promise<GatewayClient> {
      const at = now()
      sweep(at)
      const hit = entries.get(gatewayId)
      if (hit && stamp !== undefined && hit.stamp === stamp) {
        hit.usedAt = at
        return hit.client
      }
      const built = build(gatewayId)
      const entry = { client: built.client, usedAt: at, stamp: undefined as string | undefined }
      entries.set(gatewayId, entry)
      // Kept under the stamp the platform answered with; a failed load is not kept at all.
      void built.stamp.then((s) => (entry.stamp = s))
      built.client.catch(() => entries.get(gatewayId) === entry && entries.delete(gatewayId))
      return built.client
    },
    size: () => entries.size,
  }
}

export type GatewayClientCache = ReturnType<typeof createGatewayClientCache>
