import * as v from 'valibot'
import { StepFailure, type HttpClient } from '../../engine/types'
import type { GatewayClient } from '../gateway-client'

export type WebhookAuth = { authType: 'none' } | { authType: 'bearer'; token: string } | { authType: 'header'; headerName: string; value: string }

const RequestParams = v.strictObject({
  method: v.optional(v.picklist(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']), 'POST'),
  /** Appended to the gateway's base URL, e.g. `/orders`. */
  path: v.optional(v.pipe(v.string(), v.maxLength(2048), v.regex(/^(\/|\?|$)/, 'The path starts with / or ?')), ''),
  query: v.optional(v.record(v.string(), v.union([v.string(), v.number(), v.boolean()]))),
  headers: v.optional(v.record(v.string(), v.string())),
  body: v.optional(v.unknown()),
})

/**
 * The WEBHOOK gateway: calls one HTTP API with stored authentication, through the guarded client
 * (timeouts, 1 MB responses, no private targets unless the gateway opted in where that is allowed).
 * The credential goes into the request only; outputs and errors never contain it.
 */
export function createWebhookGateway(config: { baseUrl: string }, auth: WebhookAuth, http: HttpClient): GatewayClient {
  const secret = auth.authType === 'bearer' ? auth.token : auth.authType === 'header' ? auth.value : undefined
  const scrub = (text: string) => (secret ? text.split(secret).join('[redacted]') : text)
  const authHeaders = (): Record<string, string> =>
    auth.authType === 'bearer' ? { authorization: `Bearer ${auth.token}` } : auth.authType === 'header' ? { [auth.headerName.toLowerCase()]: auth.value } : {}

  async function request(params: v.InferOutput<typeof RequestParams>, signal: AbortSignal, idempotencyKey: string) {
    const url = new URL(config.baseUrl.replace(/\/$/, '') + params.path)
    for (const [k, value] of Object.entries(params.query ?? {})) url.searchParams.set(k, String(value))
    const hasBody = params.body !== undefined && params.method !== 'GET'
    try {
      const res = await http.request({
        method: params.method,
        url: url.toString(),
        headers: { ...params.headers, ...(hasBody ? { 'content-type': 'application/json' } : {}), 'idempotency-key': idempotencyKey, ...authHeaders() },
        body: hasBody ? JSON.stringify(params.body) : undefined,
        signal,
      })
      if (res.status >= 500 || res.status === 429) throw new StepFailure(`${params.method} ${url.pathname} answered ${res.status}`, 'SYSTEM', { code: 'HTTP_STATUS' })
      if (res.status >= 400) throw new StepFailure(`${params.method} ${url.pathname} answered ${res.status}`, 'USER', { retryable: false, code: 'HTTP_STATUS' })
      return res
    } catch (err) {
      if (err instanceof StepFailure) throw new StepFailure(scrub(err.message), err.kind, err.options)
      throw err
    }
  }

  return {
    async invoke(action, params, { signal, idempotencyKey }) {
      if (action !== 'request') throw new StepFailure(`Webhook gateways have one action, "request" (not "${action}")`, 'USER', { retryable: false })
      const parsed = v.safeParse(RequestParams, params ?? {})
      if (!parsed.success) throw new StepFailure(`Bad request params: ${v.getDotPath(parsed.issues[0]) ?? ''} ${parsed.issues[0].message}`.trim(), 'USER', { retryable: false })
      return request(parsed.output, signal, idempotencyKey)
    },
    async test(signal) {
      try {
        const res = await request({ method: 'GET', path: '' }, signal ?? AbortSignal.timeout(15_000), 'test')
        return { ok: true, info: { status: res.status } }
      } catch (err) {
        return { ok: false, error: scrub(err instanceof Error ? err.message : String(err)) }
      }
    },
  }
}
