// Prints the JS a route loads (entry + the route's lazy chunk, with their static imports) and its gzip size.
// Usage: node scripts/route-size.mjs src/features/auth/components/LoginPage.vue
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const manifest = JSON.parse(readFileSync(new URL('../dist/.vite/manifest.json', import.meta.url), 'utf8'))
const roots = ['index.html', ...process.argv.slice(2)]
const seen = new Set()
function visit(key) {
  if (seen.has(key)) return
  seen.add(key)
  for (const dep of manifest[key]?.imports ?? []) visit(dep)
}
roots.forEach(visit)

let total = 0
const rows = [...seen].map((key) => {
  const file = manifest[key].file
  const bytes = gzipSync(readFileSync(new URL(`../dist/${file}`, import.meta.url))).length
  total += bytes
  return { file, gzipKB: +(bytes / 1024).toFixed(2) }
})
rows.sort((a, b) => b.gzipKB - a.gzipKB)
console.table(rows)
console.log(`total gzip JS: ${(total / 1024).toFixed(1)} KB in ${rows.length} chunks`)
