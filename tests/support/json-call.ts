/** An answer as tests and benches read it: the status and the parsed JSON body ({} when empty). */
export interface JsonAnswer {
  status: number
  // Tests read deep into arbitrary JSON answers; the shapes are asserted where they matter.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: Record<string, any>
}

/** Calls a 2Bot API over HTTP with an optional JSON body and bearer token. */
export async function callJson(base: string, method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  return { status: res.status, body: text ? (JSON.parse(text) as JsonAnswer['body']) : {} }
}
