/** "Test connection" for any gateway type: the same clients the runtime uses for steps. */
export interface GatewayProbe {
  test(type: string, config: Record<string, unknown>, credentials: Record<string, unknown>, signal?: AbortSignal): Promise<{ ok: boolean; info?: Record<string, unknown>; error?: string }>
}
