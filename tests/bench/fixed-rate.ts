import http from 'node:http'
import { percentile, type LoadResult } from './lib'

/**
 * An open-loop load at a fixed rate: request i is due at start + i / rate, evenly spaced, whether or
 * not earlier ones have answered, and its latency counts from when it was due (so a slow server, or
 * a client that fell behind, shows in the numbers instead of being left out).
 *
 * Why not autocannon's `overallRate`: it lets each connection send its share of a second back to back
 * at the start of every second, then waits for the next one: the server sees bursts of 1,000 requests
 * and idles in between. Its coordinated-omission correction then adds a synthetic sample for every
 * millisecond a response took, so its p99 at a fixed rate measures the bursts, not the server
 * (`/api/health` read p99 70–120 ms that way on this machine, and under 5 ms evenly paced).
 */
export async function fixedRateLoad(
  name: string,
  opts: { url: string; headers?: Record<string, string>; rate: number; seconds: number; connections?: number },
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections ?? 50 })
  const total = Math.round(opts.rate * opts.seconds)
  const latencies: number[] = []
  let ok = 0
  let non2xx = 0
  let errors = 0
  let sent = 0
  const start = performance.now()
  const one = (due: number) =>
    new Promise<void>((resolve) => {
      const req = http.get(opts.url, { agent, headers: opts.headers }, (res) => {
        res.resume()
        res.on('end', () => {
          latencies.push(performance.now() - due)
          if (res.statusCode! >= 200 && res.statusCode! < 300) ok++
          else non2xx++
          resolve()
        })
      })
      req.on('error', () => {
        errors++
        resolve()
      })
    })
  const inFlight: Promise<void>[] = []
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now()
      while (sent < total && start + (sent * 1000) / opts.rate <= now) inFlight.push(one(start + (sent++ * 1000) / opts.rate))
      if (sent < total) setTimeout(tick, 1)
      else done()
    }
    tick()
  })
  await Promise.all(inFlight)
  const elapsedS = (performance.now() - start) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const round = (ms: number) => Math.round(ms * 10) / 10
  return { name, requestsPerSecond: Math.round(ok / elapsedS), p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), ok, non2xx, errors }
}
