import { and, desc, eq, sql } from 'drizzle-orm'
import type { NotificationType, PublicNotification } from '@2bot/contracts'
import type { AppDeps } from '../../deps'
import { executions, notifications, services } from '../../db/schema'
import { newId, sha256Hex } from '../../lib/crypto'
import { notFound } from '../../lib/errors'

type NotificationRow = typeof notifications.$inferSelect

export function toPublicNotification(row: NotificationRow): PublicNotification {
  return {
    id: row.id,
    type: row.type,
    title: row.title,
    message: row.message,
    data: row.data ?? null,
    isRead: row.isRead,
    readAt: row.readAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  }
}

/** Newest first. */
export async function listNotifications(deps: AppDeps, userId: string, opts: { limit: number; unreadOnly?: boolean }): Promise<NotificationRow[]> {
  return deps.db
    .select()
    .from(notifications)
    .where(and(eq(notifications.userId, userId), opts.unreadOnly ? eq(notifications.isRead, false) : undefined))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(opts.limit)
}

export async function countUnread(deps: AppDeps, userId: string): Promise<number> {
  const [row] = await deps.db
    .select({ n: sql<number>`count(*)::int` })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), eq(notifications.isRead, false)))
  return row?.n ?? 0
}

export async function findNotification(deps: AppDeps, userId: string, id: string): Promise<NotificationRow> {
  const [row] = await deps.db.select().from(notifications).where(and(eq(notifications.id, id), eq(notifications.userId, userId))).limit(1)
  if (!row) throw notFound('Notification')
  return row
}

export async function markRead(deps: AppDeps, userId: string, id: string): Promise<NotificationRow> {
  const row = await findNotification(deps, userId, id)
  if (row.isRead) return row
  const [updated] = await deps.db
    .update(notifications)
    .set({ isRead: true, readAt: deps.clock.now() })
    .where(and(eq(notifications.id, id), eq(notifications.userId, userId)))
    .returning()
  deps.notificationEvents?.publish(userId, { kind: 'read' })
  return updated!
}

/** Returns how many were unread. */
export async function markAllRead(deps: AppDeps, userId: string): Promise<number> {
  const updated = await deps.db
    .update(notifications)
    .set({ isRead: true, readAt: deps.clock.now() })
    .where(and(eq(notifications.userId, userId), eq(notifications.isRead, false)))
    .returning({ id: notifications.id })
  if (updated.length) deps.notificationEvents?.publish(userId, { kind: 'read' })
  return updated.length
}

export interface NewNotification {
  /** A stable id makes the notification idempotent: the same event delivered twice notifies once. */
  id?: string
  userId: string
  type: NotificationType
  title: string
  message: string
  data?: Record<string, unknown>
}

export async function createNotification(deps: AppDeps, input: NewNotification): Promise<NotificationRow | undefined> {
  const [row] = await deps.db
    .insert(notifications)
    .values({ id: input.id ?? newId(), userId: input.userId, type: input.type, title: input.title.slice(0, 200), message: input.message.slice(0, 1000), data: input.data ?? null, createdAt: deps.clock.now() })
    .onConflictDoNothing()
    .returning()
  if (row) deps.notificationEvents?.publish(input.userId, { kind: 'created', notificationId: row.id })
  return row
}

/**
 * Tells the owner a run failed. Best effort: called after the run is recorded, so a failure here
 * is logged and never undoes or fails the checkpoint. Dry runs (the canvas's tests) show their
 * result live and notify nobody.
 */
export async function notifyExecutionFailed(deps: AppDeps, executionId: string): Promise<void> {
  try {
    const [row] = await deps.db
      .select({ execution: executions, serviceName: services.name })
      .from(executions)
      .innerJoin(services, eq(services.id, executions.serviceId))
      .where(eq(executions.id, executionId))
      .limit(1)
    if (!row || row.execution.status !== 'FAILED' || row.execution.mode === 'dry-run') return
    const { execution } = row
    await createNotification(deps, {
      id: (await sha256Hex(`execution-failed:${execution.id}`)).slice(0, 32),
      userId: execution.userId,
      type: 'SERVICE_ERROR',
      title: `“${row.serviceName}” failed`,
      message: execution.error ?? (execution.deadLetter ? 'The run was set aside after repeated failures' : 'The run failed'),
      data: { serviceId: execution.serviceId, executionId: execution.id, deadLetter: execution.deadLetter, link: `/executions/${execution.serviceId}/${execution.id}` },
    })
  } catch (err) {
    deps.logger.log('warn', 'could not create the run-failed notification', { executionId, error: err })
  }
}

/** Tells the owner a connected gateway started failing (best effort, like runs). */
export async function notifyGatewayError(deps: AppDeps, gateway: { id: string; userId: string; name: string; lastError: string | null }): Promise<void> {
  try {
    await createNotification(deps, {
      userId: gateway.userId,
      type: 'GATEWAY_STATUS',
      title: `Gateway “${gateway.name}” has a problem`,
      message: gateway.lastError ?? 'The gateway stopped answering',
      data: { gatewayId: gateway.id, link: '/gateways' },
    })
  } catch (err) {
    deps.logger.log('warn', 'could not create the gateway notification', { gatewayId: gateway.id, error: err })
  }
}
