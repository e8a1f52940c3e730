import { StepFailure, type ErrorKind } from '../engine/types'
import { LeaseLostError } from './runtime-api'

/**
 * Calls between the runtime's main thread and one of its worker threads (a run's or a gateway's),
 * both ways over the same port. A call carries an AbortSignal across: aborting it on one side aborts
 * the handler's signal on the other, with the reason as text. Failures keep their meaning across
 * the boundary (StepFailure's kind and options, a lost lease); anything else arrives as an Error.
 */
export interface RpcPort {
  postMessage(message: unknown): void
  on(event: 'message', listener: (message: unknown) => void): unknown
  off(event: 'message', listener: (message: unknown) => void): unknown
}

export type RpcHandler = (args: unknown[], signal: AbortSignal) => Promise<unknown> | unknown
export type RpcHandlers = Record<string, RpcHandler>

type Message =
  | { rpc: 'call'; id: number; method: string; args: unknown[] }
  | { rpc: 'abort'; id: number; reason: string }
  | { rpc: 'result'; id: number; ok: true; value: unknown }
  | { rpc: 'result'; id: number; ok: false; error: WireError }

interface WireError {
  name: string
  message: string
  kind?: ErrorKind
  options?: { retryable?: boolean; code?: string }
  /** An HTTP status the error carried (the platform API's answer, e.g. 404 for a deleted gateway). */
  status?: number
}

function toWire(err: unknown): WireError {
  if (err instanceof StepFailure) return { name: err.name, message: err.message, kind: err.kind, options: err.options }
  const e = err instanceof Error ? err : new Error(String(err))
  const status = (e as { status?: unknown }).status
  return { name: e.name, message: e.message, ...(typeof status === 'number' ? { status } : {}) }
}

function fromWire(wire: WireError): Error {
  if (wire.name === 'StepFailure') return new StepFailure(wire.message, wire.kind ?? 'SYSTEM', wire.options ?? {})
  if (wire.name === 'LeaseLostError') return new LeaseLostError()
  return Object.assign(new Error(wire.message), { name: wire.name, ...(wire.status === undefined ? {} : { status: wire.status }) })
}

const isMessage = (m: unknown): m is Message => typeof m === 'object' && m !== null && 'rpc' in m

export interface Rpc {
  call<T = unknown>(method: string, args: unknown[], signal?: AbortSignal): Promise<T>
  /** Fails every call still waiting for an answer (the other side died). */
  failPending(err: Error): void
  close(): void
}

export function connectRpc(port: RpcPort, handlers: RpcHandlers = {}): Rpc {
  let nextId = 1
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; cleanup(): void }>()
  const serving = new Map<number, AbortController>()

  const onMessage = (message: unknown) => {
    if (!isMessage(message)) return
    if (message.rpc === 'result') {
      const call = pending.get(message.id)
      if (!call) return
      pending.delete(message.id)
      call.cleanup()
      if (message.ok) call.resolve(message.value)
      else call.reject(fromWire(message.error))
    } else if (message.rpc === 'abort') {
      serving.get(message.id)?.abort(new Error(message.reason))
    } else {
      const controller = new AbortController()
      serving.set(message.id, controller)
      const handler = handlers[message.method]
      void (async () => {
        if (!handler) throw new Error(`No such call: ${message.method}`)
        return handler(message.args, controller.signal)
      })().then(
        (value) => port.postMessage({ rpc: 'result', id: message.id, ok: true, value }),
        (err: unknown) => port.postMessage({ rpc: 'result', id: message.id, ok: false, error: toWire(err) }),
      ).finally(() => serving.delete(message.id))
    }
  }
  port.on('message', onMessage)

  return {
    call<T>(method: string, args: unknown[], signal?: AbortSignal): Promise<T> {
      const id = nextId++
      return new Promise<T>((resolve, reject) => {
        const onAbort = () => port.postMessage({ rpc: 'abort', id, reason: String((signal?.reason as Error | undefined)?.message ?? 'aborted') })
        signal?.addEventListener('abort', onAbort, { once: true })
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) })
        port.postMessage({ rpc: 'call', id, method, args })
        if (signal?.aborted) onAbort()
      })
    },
    failPending(err) {
      for (const [id, call] of pending) {
        pending.delete(id)
        call.cleanup()
        call.reject(err)
      }
    },
    close() {
      port.off('message', onMessage)
      serving.forEach((c) => c.abort(new Error('closed')))
    },
  }
}
