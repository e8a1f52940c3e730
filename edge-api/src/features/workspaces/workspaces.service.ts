import { eq } from 'drizzle-orm'
import type { AppDeps } from '../../deps'
import { workspaces, type Workspace } from '../../db/schema'
import { newId, randomToken, sha256Hex } from '../../lib/crypto'

export const WORKSPACE_TOKEN_PREFIX = 'ws_'

/** The id of the user's workspace (created on first need). The id never changes, so it is memoised. */
export async function ensureWorkspace(deps: AppDeps, userId: string): Promise<{ id: string }> {
  const load = async () => ({ id: (await loadOrCreateWorkspace(deps, { userId })).id })
  return deps.memo ? deps.memo.get(`workspace:${userId}`, load) : load()
}

/**
 * The id of an organization's workspace: one per organization, its shared pool, created on first
 * need like a user's. Memoised under its own key (an organization's id could equal a user's).
 */
export async function ensureOrgWorkspace(deps: AppDeps, organizationId: string): Promise<{ id: string }> {
  const load = async () => ({ id: (await loadOrCreateWorkspace(deps, { organizationId })).id })
  return deps.memo ? deps.memo.get(`org-workspace:${organizationId}`, load) : load()
}

/** Where a service's runs go: its organization's pool, or its owner's own workspace. */
export function workspaceOfService(deps: AppDeps, service: { userId: string; organizationId: string | null }): Promise<{ id: string }> {
  return service.organizationId ? ensureOrgWorkspace(deps, service.organizationId) : ensureWorkspace(deps, service.userId)
}

type WorkspaceOwner = { userId: string; organizationId?: undefined } | { organizationId: string; userId?: undefined }

async function loadOrCreateWorkspace(deps: AppDeps, owner: WorkspaceOwner): Promise<Workspace> {
  const whereOwner = owner.userId !== undefined ? eq(workspaces.userId, owner.userId) : eq(workspaces.organizationId, owner.organizationId)
  const [existing] = await deps.db.select().from(workspaces).where(whereOwner).limit(1)
  if (existing) return existing
  const now = deps.clock.now()
  const [created] = await deps.db
    .insert(workspaces)
    .values({ id: newId(), userId: owner.userId ?? null, organizationId: owner.organizationId ?? null, tokenHash: await sha256Hex(randomToken()), createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .returning()
  if (created) return created
  const [raced] = await deps.db.select().from(workspaces).where(whereOwner).limit(1)
  return raced!
}

/**
 * A fresh token for the runtime about to start in this workspace; the previous one stops working.
 * Only its hash is stored.
 */
export async function issueWorkspaceToken(deps: AppDeps, workspaceId: string): Promise<string> {
  const token = WORKSPACE_TOKEN_PREFIX + randomToken(32)
  if (deps.rowCache) {
    const [old] = await deps.db.select({ tokenHash: workspaces.tokenHash }).from(workspaces).where(eq(workspaces.id, workspaceId)).limit(1)
    if (old) deps.rowCache.invalidate(tokenKey(old.tokenHash))
  }
  await deps.db.update(workspaces).set({ tokenHash: await sha256Hex(token), updatedAt: deps.clock.now() }).where(eq(workspaces.id, workspaceId))
  return token
}

export async function findWorkspaceByToken(deps: AppDeps, token: string): Promise<Workspace | undefined> {
  if (!token.startsWith(WORKSPACE_TOKEN_PREFIX) || token.length > 200) return undefined
  const hash = await sha256Hex(token)
  const load = async () => (await deps.db.select().from(workspaces).where(eq(workspaces.tokenHash, hash)).limit(1))[0]
  if (!deps.rowCache) return load()
  // Every runtime call authenticates: the row is kept for seconds (the cache's TTL), a new token
  // forgets the old one at once, and an unknown token is never kept.
  const row = await deps.rowCache.get(tokenKey(hash), load)
  if (!row) deps.rowCache.invalidate(tokenKey(hash))
  return row
}

const tokenKey = (hash: string) => `workspace-token:${hash}`
