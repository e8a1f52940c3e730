import { Redis } from '@upstash/redis'
import type { Cache } from './cache.port'

export interface UpstashConfig {
  url: string
  token: string
}

/** Upstash Redis over its REST API; works from Workers and Node alike. */
export function createUpstashCache(config: UpstashConfig, prefix = '2bot:'): Cache {
  const redis = new Redis({ url: config.url, token: config.token, retry: { retries: 1 } })
  return {
    async get<T>(key: string) {
      return redis.get<T>(prefix + key)
    },
    async set(key, value, ttlSeconds) {
      if (ttlSeconds) await redis.set(prefix + key, value, { ex: ttlSeconds })
      else await redis.set(prefix + key, value)
    },
    async del(key) {
      await redis.del(prefix + key)
    },
    async incr(key, ttlSeconds) {
      const [count] = await redis.pipeline().incr(prefix + key).expire(prefix + key, ttlSeconds, 'NX').exec<[number, number]>()
      return count
    },
    async ping() {
      await redis.ping()
    },
  }
}
