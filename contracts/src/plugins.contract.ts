import * as v from 'valibot'
import { GATEWAY_TYPES, type GatewayType } from './gateways.contract'
import { WORKSPACE_BULKHEADS } from './workspace.contract'

/**
 * Marketplace plugins: a manifest (what the catalog shows and the UI builds forms from) plus
 * JavaScript source the workspace runs in a QuickJS sandbox inside a thread of its own. The API
 * validates installs and configs with these, the runtime runs the source, and the UI renders the
 * manifest's fields.
 */

/** The roadmap's per-plugin bulkhead ("Intra-Workspace Isolation") and sandbox limits. */
export const PLUGIN_LIMITS = {
  /** A plugin's memory: its QuickJS sandbox's heap, and its thread's V8 heap. */
  memoryMb: WORKSPACE_BULKHEADS.pluginMemoryMb,
  /** Wall clock of one action call. */
  timeoutMs: 5000,
  /** Longest stretch of plugin code without an await before it is stopped (the sandbox's CPU time). */
  cpuSliceMs: 1000,
  /** Plugin threads alive at once in one workspace. */
  maxThreads: 10,
  maxSourceBytes: 256 * 1024,
  /** All of an install's stored keys and values together, as JSON. */
  maxStateBytes: 64 * 1024,
  maxResultBytes: 1024 * 1024,
} as const

/** Plugins a user may install, per plan (the roadmap's plan limits); null is no limit. */
export const PLUGINS_PER_PLAN = { FREE: 3, STARTER: 5, PRO: 10, BUSINESS: 25, ENTERPRISE: null } as const

export const PLUGIN_FIELD_TYPES = ['string', 'text', 'number', 'boolean'] as const
export type PluginFieldType = (typeof PLUGIN_FIELD_TYPES)[number]

const Key = v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'A key starts with a letter and uses letters, digits or _'))
const Label = v.pipe(v.string(), v.minLength(1), v.maxLength(100))
const Description = v.pipe(v.string(), v.maxLength(500))

export const PluginField = v.strictObject({
  key: Key,
  label: Label,
  type: v.picklist(PLUGIN_FIELD_TYPES),
  description: v.optional(Description),
  required: v.optional(v.boolean(), false),
  default: v.optional(v.union([v.string(), v.number(), v.boolean()])),
  /** Longest text a string field takes. */
  maxLength: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000))),
})
export type PluginField = v.InferOutput<typeof PluginField>

export const PluginAction = v.strictObject({
  name: Key,
  label: Label,
  description: v.optional(Description),
  /** What a workflow's plugin step passes in (`params`), as form fields for the step's side panel. */
  params: v.optional(v.array(PluginField), []),
})
export type PluginAction = v.InferOutput<typeof PluginAction>

export const PluginManifest = v.strictObject({
  /** An ES module; each exported async function is an action: `(params, ctx) => result`. */
  source: v.pipe(v.string(), v.minLength(1), v.maxLength(PLUGIN_LIMITS.maxSourceBytes)),
  actions: v.pipe(v.array(PluginAction), v.minLength(1), v.maxLength(20)),
  configFields: v.optional(v.array(PluginField), []),
  /** Gateway types the plugin calls; the user binds one of their gateways to each. */
  gateways: v.optional(v.array(v.picklist(GATEWAY_TYPES)), []),
})
export type PluginManifest = v.InferOutput<typeof PluginManifest>

/** The schema of an install's config, built from the manifest's fields (API checks, UI form errors). */
export function pluginConfigSchema(fields: readonly PluginField[]) {
  const entries: Record<string, v.GenericSchema> = {}
  for (const field of fields) {
    const base =
      field.type === 'number'
        ? v.pipe(v.number(`${field.label} must be a number`), v.finite())
        : field.type === 'boolean'
          ? v.boolean(`${field.label} is on or off`)
          : v.pipe(v.string(`${field.label} must be text`), v.maxLength(field.maxLength ?? 2000, `${field.label} is too long`))
    const filled = field.type === 'string' || field.type === 'text' ? v.pipe(base as v.GenericSchema<string>, v.minLength(1, `${field.label} is required`)) : base
    entries[field.key] = field.required ? (field.default === undefined ? filled : v.optional(filled, field.default)) : v.optional(base, field.default)
  }
  return v.strictObject(entries)
}

/**
 * An install's config checked against the plugin's fields, with defaults filled in; failures keyed
 * as the API reports them (`config.<key>`), so the API and the UI's form name fields alike.
 */
export function checkPluginConfig(
  fields: readonly PluginField[],
  config: Record<string, unknown>,
): { ok: true; config: Record<string, unknown> } | { ok: false; issues: { path: string; message: string }[] } {
  const result = v.safeParse(pluginConfigSchema(fields), config)
  if (result.success) return { ok: true, config: result.output as Record<string, unknown> }
  return { ok: false, issues: result.issues.map((issue) => ({ path: `config.${v.getDotPath(issue) ?? ''}`, message: issue.message })) }
}

const GatewayBindings = v.record(v.picklist(GATEWAY_TYPES), v.pipe(v.string(), v.minLength(1), v.maxLength(64)))

export const InstallPluginBody = v.strictObject({
  config: v.optional(v.record(v.string(), v.unknown()), {}),
  gateways: v.optional(GatewayBindings, {}),
})
export const PluginConfigBody = v.strictObject({ config: v.record(v.string(), v.unknown()) })
export const PluginGatewaysBody = v.strictObject({ gateways: GatewayBindings })

export const PluginSlugParam = v.strictObject({ slug: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'Unknown plugin')) })

/** A catalog entry as the API shows it: everything but the source. */
export interface PublicPlugin {
  slug: string
  name: string
  description: string
  category: string | null
  version: string
  author: string
  icon: string | null
  isOfficial: boolean
  minPlanRequired: string
  installCount: number
  actions: PluginAction[]
  configFields: PluginField[]
  gateways: GatewayType[]
}

export interface PublicInstalledPlugin extends PublicPlugin {
  installId: string
  enabled: boolean
  config: Record<string, unknown>
  /** Gateway id per gateway type the plugin calls. */
  gatewayBindings: Partial<Record<GatewayType, string>>
  /** Bytes of the install's stored data. */
  stateBytes: number
  installedAt: string
}

/** What a workspace runtime loads to run a plugin step. */
export interface RuntimePlugin {
  installId: string
  slug: string
  version: string
  source: string
  config: Record<string, unknown>
  gatewayBindings: Partial<Record<GatewayType, string>>
}

export const PluginStorageBody = v.variant('op', [
  v.strictObject({ op: v.literal('get'), key: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) }),
  v.strictObject({ op: v.literal('set'), key: v.pipe(v.string(), v.minLength(1), v.maxLength(200)), value: v.unknown() }),
  v.strictObject({ op: v.literal('delete'), key: v.pipe(v.string(), v.minLength(1), v.maxLength(200)) }),
])
export type PluginStorageBody = v.InferOutput<typeof PluginStorageBody>
