import { and, eq, gt, inArray, isNull } from 'drizzle-orm'
import type { Update } from 'grammy/types'
import type { WorkflowDefinition } from '@2bot/contracts'
import { gateways, serviceVersions, services, triggerListeners } from '../../db/schema'
import type { AppDeps } from '../../deps'
import { toStorable } from '../../lib/storable-json'
import { servicesOwnedBy } from '../ownership/ownership'
import { enqueueExecutions, type Execution } from '../services/executions.service'
import { matchesTrigger, triggerPayload, type EventTrigger } from './telegram-update'

type GatewayRow = typeof gateways.$inferSelect

/**
 * One update from one bot, fanned out to every enabled workflow of the bot's owner listening on it
 * and to every test run of the owner's waiting on the bot: all their executions are committed in
 * one transaction before Telegram gets its 200. A redelivered update (same update_id) starts
 * nothing new. Only the gateway's owner hears it: a workflow or listener of anyone else that names
 * this gateway (saved before references were checked) gets nothing.
 */
export async function ingestTelegramUpdate(deps: AppDeps, gateway: GatewayRow, update: Update): Promise<Execution[]> {
  const listening = await deps.db
    .select({ service: services, definition: serviceVersions.definition })
    .from(services)
    .innerJoin(serviceVersions, and(eq(serviceVersions.serviceId, services.id), eq(serviceVersions.version, services.currentVersion)))
    .where(and(servicesOwnedBy(gateway), eq(services.triggerType, 'EVENT'), eq(services.isEnabled, true), isNull(services.deletedAt)))
  const botUsername = typeof gateway.config.username === 'string' ? gateway.config.username : undefined
  const matching = listening.filter(({ definition }) => {
    const trigger = (definition as unknown as WorkflowDefinition).trigger
    return trigger.type === 'event' && trigger.gatewayId === gateway.id && matchesTrigger(update, trigger as EventTrigger, { botUsername })
  })
  const now = deps.clock.now()
  const listeners = await deps.db
    .select({ listener: triggerListeners, service: services, definition: serviceVersions.definition })
    .from(triggerListeners)
    .innerJoin(services, eq(services.id, triggerListeners.serviceId))
    .innerJoin(serviceVersions, and(eq(serviceVersions.serviceId, services.id), eq(serviceVersions.version, services.currentVersion)))
    .where(
      and(
        eq(triggerListeners.gatewayId, gateway.id),
        servicesOwnedBy(gateway),
        eq(triggerListeners.userId, services.userId),
        isNull(triggerListeners.executionId),
        gt(triggerListeners.expiresAt, now),
        isNull(services.deletedAt),
      ),
    )
  const testRuns = listeners.filter(({ definition }) => {
    const trigger = (definition as unknown as WorkflowDefinition).trigger
    return trigger.type === 'event' && trigger.gatewayId === gateway.id && matchesTrigger(update, trigger as EventTrigger, { botUsername })
  })
  // Text from Telegram (or from whoever holds the webhook secret) stored with U+FFFD for what PostgreSQL cannot hold.
  const payload = toStorable({ ...triggerPayload(update), gatewayId: gateway.id })
  const created = await enqueueExecutions(deps, [
    ...matching.map(({ service }) => ({ service, triggeredBy: `event:${gateway.id}`, triggerData: payload, dedupKey: `telegram:${gateway.id}:${update.update_id}` })),
    // A test run is spent by its first update: its dedup key is the listener.
    ...testRuns.map(({ service, listener }) => ({ service, triggeredBy: 'test', triggerData: payload, dedupKey: `test:${listener.id}` })),
  ])
  for (const { listener } of testRuns) {
    const execution = created.find((e) => e.dedupKey === `test:${listener.id}`)
    if (execution) await deps.db.update(triggerListeners).set({ executionId: execution.id }).where(eq(triggerListeners.id, listener.id))
  }
  // Cached gateway lists show this at most the row cache's 5 s late (forgetting them on every message would keep them cold).
  await deps.db.update(gateways).set({ lastActive: now }).where(eq(gateways.id, gateway.id))
  return created
}

/** Gateways whose updates should flow (status CONNECTED), for restarting pollers after a reboot. */
export async function connectedTelegramBots(deps: AppDeps): Promise<GatewayRow[]> {
  return deps.db.select().from(gateways).where(and(eq(gateways.type, 'TELEGRAM_BOT'), inArray(gateways.status, ['CONNECTED']), isNull(gateways.deletedAt)))
}
