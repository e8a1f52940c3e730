import type { PublicExecution, PublicExecutionStep, PublicService, PublicUser } from '@2bot/contracts'
import { vi } from 'vitest'
import { createApi } from '../api/api'
import { createBrowserPlatform } from '../platform/browser.platform'

export interface Recorded {
  method: string
  path: string
  headers: Headers
  body: unknown
}

export type Handler = (req: Recorded) => Response | Promise<Response>

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

export function apiError(status: number, code: string, message: string, details?: unknown): Response {
  return json({ error: { code, message, details, requestId: 'req_test' } }, status)
}

/**
 * A `fetch` that answers from a table of `"METHOD /path"` handlers and records every request;
 * anything unknown is a 404 in the API's error shape.
 */
export function fakeServer(handlers: Record<string, Handler>) {
  const requests: Recorded[] = []
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://localhost')
    const method = (init?.method ?? 'GET').toUpperCase()
    const raw = init?.body
    const req: Recorded = { method, path: url.pathname, headers: new Headers(init?.headers), body: typeof raw === 'string' ? JSON.parse(raw) : undefined }
    requests.push(req)
    const handler = handlers[`${method} ${url.pathname}`]
    return handler ? handler(req) : apiError(404, 'NOT_FOUND', `No route for ${method} ${url.pathname}`)
  }) as unknown as typeof globalThis.fetch
  return { fetch, requests }
}

/** The real API client on top of a fake server, as the browser platform would build it. */
export async function apiOn(fetch: typeof globalThis.fetch, cookies = '') {
  return createApi(createBrowserPlatform({ fetch, cookies: () => cookies }))
}

export function aUser(overrides: Partial<PublicUser> = {}): PublicUser {
  return {
    id: 'usr_1',
    email: 'ada@example.com',
    name: 'Ada',
    image: null,
    emailVerified: true,
    role: 'OWNER',
    plan: 'FREE',
    theme: 'system',
    organizationId: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  }
}

/** A workflow (service) as the API answers it, holding `definition`. */
export function aService(definition: unknown, overrides: Partial<PublicService> = {}): PublicService {
  return {
    id: 'svc_1',
    name: 'Bot',
    description: null,
    isEnabled: false,
    triggerType: 'EVENT',
    currentVersion: 1,
    status: 'ACTIVE',
    lastRunAt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    definition,
    ...overrides,
  }
}

/** An execution as the API answers it (a fresh dry run unless told otherwise). */
export function anExecution(overrides: Partial<PublicExecution> = {}): PublicExecution {
  return {
    id: 'exe_1',
    serviceId: 'svc_1',
    serviceVersion: 1,
    status: 'PENDING',
    mode: 'dry-run',
    triggeredBy: 'manual',
    attempt: 1,
    error: null,
    errorKind: null,
    deadLetter: false,
    tokensUsed: 0,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    completedAt: null,
    ...overrides,
  }
}

/** One step attempt of an execution, completed with `output` unless told otherwise. */
export function anExecutionStep(key: string, output: unknown, overrides: Partial<PublicExecutionStep> = {}): PublicExecutionStep {
  return {
    key,
    lease: 1,
    attempt: 1,
    status: 'COMPLETED',
    output,
    error: null,
    errorKind: null,
    startedAt: '2026-01-01T00:00:01.000Z',
    completedAt: '2026-01-01T00:00:02.000Z',
    durationMs: 1000,
    ...overrides,
  }
}
