/** A response body was larger than its cap; raised before the excess reaches the heap. */
export class AnswerTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The answer is larger than ${Math.round(maxBytes / 2 ** 20)} MB`)
    this.name = 'AnswerTooLargeError'
  }
}

/**
 * `fetch` whose response bodies may be at most `maxBytes`: a declared length beyond it fails at
 * once, an undeclared one fails as the stream passes it. Why: a client library reads the whole
 * answer into one string, and one allocation larger than a gateway's heap limit ends the whole
 * process rather than only its thread. Web APIs only, so it also runs on Workers.
 */
export function cappedFetch(maxBytes: number, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init)
    const declared = Number(res.headers.get('content-length') ?? NaN)
    if (declared > maxBytes) {
      await res.body?.cancel().catch(() => {})
      throw new AnswerTooLargeError(maxBytes)
    }
    if (!res.body) return res
    let seen = 0
    const limited = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength
          if (seen > maxBytes) controller.error(new AnswerTooLargeError(maxBytes))
          else controller.enqueue(chunk)
        },
      }),
    )
    return new Response(limited, { status: res.status, statusText: res.statusText, headers: res.headers })
  }
}

/** The AnswerTooLargeError behind an error, where a client library wrapped it. */
export function answerTooLarge(err: unknown): AnswerTooLargeError | undefined {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof AnswerTooLargeError) return e
  }
  return undefined
}
