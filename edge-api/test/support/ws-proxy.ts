import net from 'node:net'
import { WebSocketServer } from 'ws'

/**
 * The WebSocket-to-TCP bridge Neon runs in front of Postgres, for a local Postgres:
 * `ws://host:port/v1?address=pghost:pgport` is piped to that TCP address (loopback only).
 */
export async function startWsProxy(port: number): Promise<{ address: string; stop(): Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port })
  wss.on('connection', (socket, req) => {
    const target = new URL(req.url ?? '/', 'http://x').searchParams.get('address') ?? ''
    const [host, portText] = target.split(':')
    if (!host || !['127.0.0.1', 'localhost'].includes(host)) return socket.close(1008, 'loopback only')
    const tcp = net.connect(Number(portText), '127.0.0.1')
    tcp.on('data', (chunk) => socket.send(chunk))
    tcp.on('close', () => socket.close())
    tcp.on('error', () => socket.close())
    socket.on('message', (data) => tcp.write(data as Buffer))
    socket.on('close', () => tcp.end())
  })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  return {
    address: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate()
        wss.close(() => resolve())
      }),
  }
}
