/**
 * The operator CLI: `pnpm nomad <command>` (see USAGE in cli/commands.ts and docs/operations.md).
 * Configuration comes from the same variables as Nomad's own CLI.
 */
import { createNomadApi } from './api/nomad-api.client'
import { runCli } from './cli/commands'

const argv = process.argv.slice(2)
const addrFlag = argv.findIndex((a) => a === '--addr' || a.startsWith('--addr='))
const addr =
  addrFlag >= 0 ? (argv[addrFlag]!.includes('=') ? argv[addrFlag]!.split('=')[1]! : argv[addrFlag + 1]!) : (process.env.NOMAD_ADDR ?? 'http://127.0.0.1:4646')
const api = createNomadApi({
  addr,
  ...(process.env.NOMAD_TOKEN ? { token: process.env.NOMAD_TOKEN } : {}),
  ...(process.env.NOMAD_REGION ? { region: process.env.NOMAD_REGION } : {}),
  ...(process.env.NOMAD_NAMESPACE ? { namespace: process.env.NOMAD_NAMESPACE } : {}),
})
process.exitCode = await runCli(argv, api, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) })
