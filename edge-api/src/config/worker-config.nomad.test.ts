import { describe, expect, it } from 'vitest'
import { parseWorkerEnv } from './worker-config'

const base = {
  DATABASE_URL: 'postgres://u:p@db.example/app',
  ENCRYPTION_KEY: 'A'.repeat(43) + '=',
  PUBLIC_URL: 'https://api.2bot.example',
}

describe('Workers bindings for Nomad workspaces', () => {
  it('are optional: without NOMAD_ADDR workspaces are started elsewhere', () => {
    const result = parseWorkerEnv(base)
    expect(result.ok).toBe(true)
  })

  it('parse the Nomad connection, region and CPU factor', () => {
    const result = parseWorkerEnv({
      ...base,
      NOMAD_ADDR: 'https://nomad.internal:4646',
      NOMAD_TOKEN: 'acl-secret',
      NOMAD_REGION: 'eu',
      NOMAD_CPU_MHZ_PER_VCPU: '2500',
      WORKSPACE_IMAGE: 'registry.example/2bot/runtime:1.0.0',
    })
    expect(result).toMatchObject({ ok: true, config: { NOMAD_ADDR: 'https://nomad.internal:4646', NOMAD_REGION: 'eu', NOMAD_CPU_MHZ_PER_VCPU: 2500 } })
  })

  it('name the binding (never its value) when NOMAD_ADDR lacks WORKSPACE_IMAGE or is not a URL', () => {
    const missing = parseWorkerEnv({ ...base, NOMAD_ADDR: 'https://nomad.internal:4646', NOMAD_TOKEN: 'acl-secret' })
    expect(missing).toEqual({ ok: false, issues: [{ variable: 'WORKSPACE_IMAGE', message: 'WORKSPACE_IMAGE is required with NOMAD_ADDR' }] })
    const bad = parseWorkerEnv({ ...base, NOMAD_ADDR: 'nomad', WORKSPACE_IMAGE: 'img' })
    expect(bad).toMatchObject({ ok: false, issues: [{ variable: 'NOMAD_ADDR' }] })
    expect(JSON.stringify([missing, bad])).not.toContain('acl-secret')
  })
})
