/** "Test connection" for any gateway type: the same clients the runtime uses for steps. */
export interface GatewayProbe {
  test(type: string, config: Record<string, unknown>, credentials: Record<string, unknown>, signal?: AbortSignal): Promise<{ ok: boolean; info?: Record<string, unknown>; error?: string }>
}

export type AiStreamEvent = { delta: string } | { done: true; text: string; usage?: unknown }

/** Streams an AI chat reply (the playground and the canvas's live test), with the runtime's AI client. */
export interface AiStreamer {
  chat(config: Record<string, unknown>, credentials: Record<string, unknown>, params: unknown, signal: AbortSignal): AsyncIterable<AiStreamEvent>
}
