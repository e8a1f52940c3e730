import type { Context } from 'hono'
import { auditLogs } from '../../db/schema'
import type { AppEnv } from '../../env'
import { newId } from '../../lib/crypto'
import { scrub } from '@2bot/contracts/logger'

export interface AuditEntry {
  action: string
  resource: string
  resourceId?: string | null
  userId?: string | null
  organizationId?: string | null
  status?: 'success' | 'failure'
  metadata?: Record<string, unknown>
}

/** Records who did what from where. Metadata is scrubbed of secrets before it is stored. */
export async function audit(c: Context<AppEnv>, entry: AuditEntry): Promise<void> {
  const { db, clientIp, clock } = c.get('deps')
  await db.insert(auditLogs).values({
    id: newId(),
    action: entry.action,
    resource: entry.resource,
    resourceId: entry.resourceId ?? null,
    userId: entry.userId ?? c.get('auth')?.user.id ?? null,
    organizationId: entry.organizationId ?? null,
    status: entry.status ?? 'success',
    metadata: entry.metadata ? (scrub(entry.metadata) as Record<string, unknown>) : null,
    ipAddress: clientIp(c) ?? null,
    userAgent: c.req.header('user-agent')?.slice(0, 500) ?? null,
    requestId: c.get('requestId'),
    createdAt: clock.now(),
  })
}
