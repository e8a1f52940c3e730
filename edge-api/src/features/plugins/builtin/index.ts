import type { BuiltinPlugin } from './builtin-plugin'
import { keywordStats } from './keyword-stats'
import { textTools } from './text-tools'
import { welcomeMessage } from './welcome-message'

export type { BuiltinPlugin } from './builtin-plugin'

/** The official plugins (roadmap Phase 3's Welcome and Analytics plugins, plus text utilities). */
export const BUILTIN_PLUGINS: readonly BuiltinPlugin[] = [welcomeMessage, keywordStats, textTools]
