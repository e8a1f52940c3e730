import * as v from 'valibot'

export const API_KEY_SCOPES = {
  'read:profile': 'Read your profile',
  'read:gateways': 'View gateway configurations',
  'read:plugins': 'View installed plugins',
  'read:services': 'View service configurations',
  'read:analytics': 'View analytics data',
  'write:gateways': 'Create/update gateways',
  'write:plugins': 'Install/configure plugins',
  'write:services': 'Create/manage services',
  'execute:services': 'Trigger service runs',
  'execute:plugins': 'Execute plugin actions',
} as const

export type ApiKeyScope = keyof typeof API_KEY_SCOPES
const scopeNames = Object.keys(API_KEY_SCOPES) as [ApiKeyScope, ...ApiKeyScope[]]

export const CreateApiKeyBody = v.strictObject({
  name: v.pipe(v.string('Name is required'), v.trim(), v.minLength(1, 'Name is required'), v.maxLength(100, 'Name is too long')),
  scopes: v.pipe(
    v.array(v.picklist(scopeNames, 'Unknown scope')),
    v.minLength(1, 'Pick at least one scope'),
    v.maxLength(scopeNames.length),
    v.transform((s) => [...new Set(s)]),
  ),
  expiresInDays: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(365))),
})

export interface PublicApiKey {
  id: string
  name: string
  keyPrefix: string
  scopes: ApiKeyScope[]
  createdAt: string
  lastUsedAt: string | null
  expiresAt: string | null
}
