/**
 * A connected gateway inside the runtime: built from the gateway's config and decrypted
 * credentials, it runs actions for workflow steps. Credentials stay inside the client: never in a
 * step's output, an error message or a log line.
 */
export interface GatewayActionContext {
  signal: AbortSignal
  /** Stable across retries of one step; passed on where the far end supports idempotency. */
  idempotencyKey: string
}

export interface GatewayTestResult {
  ok: boolean
  /** What the UI shows after "test connection", e.g. the bot's username or the model list. */
  info?: Record<string, unknown>
  error?: string
}

export interface GatewayClient {
  invoke(action: string, params: unknown, ctx: GatewayActionContext): Promise<unknown>
  test(signal?: AbortSignal): Promise<GatewayTestResult>
}
