import { gatewayClient, gatewayFactories, type GatewayFactoryOptions } from '@2bot/runtime/gateways'
import { createAiGateway } from '@2bot/runtime/ai'
import type { AiStreamer, GatewayProbe } from './gateway-probe.port'

/** "Test connection" with the runtime's own gateway clients, so a passing test means steps will work. */
export function createRuntimeGatewayProbe(opts: GatewayFactoryOptions = {}): GatewayProbe {
  const factories = gatewayFactories(opts)
  return {
    async test(type, config, credentials, signal) {
      const client = gatewayClient(factories, type, config, credentials)
      if (!client) return { ok: false, error: `Testing ${type} gateways is not supported yet` }
      return client.test(signal)
    },
  }
}

/** AI chat streaming with the runtime's AI client (OpenAI-compatible, by baseURL). */
export function createRuntimeAiStreamer(): AiStreamer {
  return {
    chat: (config, credentials, params, signal) => createAiGateway(config as never, credentials as never).chatStream(params, signal),
  }
}
