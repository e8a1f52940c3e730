import { checkPluginConfig, type GatewayType, type PluginField, type PublicInstalledPlugin, type PublicPlugin } from '@2bot/contracts'
import { fieldErrorsOf, type FieldErrors } from '../../api/api-error'
import type { PluginSettings } from './plugins.store'

/** The settings form's values: config by field key (a number field may be empty: null), gateway id by type ('' = none). */
export interface SettingsValues {
  config: Record<string, string | number | boolean | null>
  gateways: Partial<Record<GatewayType, string>>
}

/** The values of the form, from a saved install or, for a new one, the fields' defaults. */
export function initialSettings(plugin: PublicPlugin, installed?: Pick<PublicInstalledPlugin, 'config' | 'gatewayBindings'>): SettingsValues {
  const config: SettingsValues['config'] = {}
  for (const f of plugin.configFields) {
    const saved = installed?.config[f.key] ?? f.default
    if (f.type === 'boolean') config[f.key] = typeof saved === 'boolean' ? saved : false
    else if (f.type === 'number') config[f.key] = typeof saved === 'number' ? saved : null
    else config[f.key] = typeof saved === 'string' ? saved : ''
  }
  const gateways: SettingsValues['gateways'] = {}
  for (const type of plugin.gateways) gateways[type] = installed?.gatewayBindings[type] ?? ''
  return { config, gateways }
}

/** A field the user must fill before installing: required with no default to fall back on. */
const mustFill = (f: PluginField) => f.required && f.default === undefined && f.type !== 'boolean'

/** Whether Install needs the form first: a required field without default, or a gateway to pick. */
export function needsSetup(plugin: PublicPlugin): boolean {
  return plugin.gateways.length > 0 || plugin.configFields.some(mustFill)
}

/** An empty optional text or number is left out, so the field's default (or nothing) applies. */
function toConfig(fields: readonly PluginField[], values: SettingsValues['config']): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of fields) {
    const value = values[f.key]
    if (value === null || value === undefined) continue
    if (value === '' && !mustFill(f)) continue
    out[f.key] = value
  }
  return out
}

export type CheckedSettings = { ok: true; body: PluginSettings } | { ok: false; errors: FieldErrors }

/**
 * The form checked with the API's own `checkPluginConfig`; errors are keyed like the API's details
 * (`config.<key>`, `gateways.<TYPE>`) so both sources land under the same field.
 * @example checkSettings(plugin, values, { TELEGRAM_BOT: 'Telegram Bot' })
 */
export function checkSettings(plugin: PublicPlugin, values: SettingsValues, gatewayLabels: Partial<Record<GatewayType, string>> = {}): CheckedSettings {
  const config = toConfig(plugin.configFields, values.config)
  const checked = checkPluginConfig(plugin.configFields, config)
  const issues = checked.ok ? [] : checked.issues
  // A missing number reads "must be a number" in the schema; say what is wrong instead.
  const missing = plugin.configFields.filter((f) => mustFill(f) && config[f.key] === undefined).map((f) => ({ path: `config.${f.key}`, message: `${f.label} is required` }))
  const unbound = plugin.gateways
    .filter((type) => !values.gateways[type])
    .map((type) => ({ path: `gateways.${type}`, message: `Pick one of your ${gatewayLabels[type] ?? type} gateways` }))
  const errors = fieldErrorsOf([...missing, ...issues, ...unbound])
  if (Object.keys(errors).length || !checked.ok) return { ok: false, errors }
  const gateways: PluginSettings['gateways'] = {}
  for (const type of plugin.gateways) gateways[type] = values.gateways[type]
  return { ok: true, body: { config: checked.config, gateways } }
}
