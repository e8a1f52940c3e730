import { fileURLToPath } from 'node:url'

/**
 * The reference contracts vendored into the repository (README.md says where each comes from), so
 * the doubles and contract tests work on any clone. Adding one: copy it here, add it to
 * manifest.json with its sha256, source and license, and name it below.
 */
export const REFERENCE_NAMES = ['nomad-openapi.yaml', 'telegram-bot-api.json'] as const
export type ReferenceName = (typeof REFERENCE_NAMES)[number]

/** The absolute path of a vendored reference file. */
export function referenceFile(name: ReferenceName): string {
  return fileURLToPath(new URL(`./${name}`, import.meta.url))
}
