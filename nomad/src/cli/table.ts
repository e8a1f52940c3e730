/** A plain left-aligned text table, for terminals and logs. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))]
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)))
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n'
}

/** `90s`, `15m`, `1h`, `1h30m` → nanoseconds (Nomad's duration unit). */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+)(h|m|s)/g)]
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a duration: ${text} (use e.g. 30s, 15m, 1h, 1h30m)`)
  const unit = { h: 3600, m: 60, s: 1 } as const
  return parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as 'h' | 'm' | 's'], 0) * 1_000_000_000
}
