import { readFile } from 'node:fs/promises'

/** The first of these cgroup files (v2, then v1) that reads as a number; null where none does. */
async function readCgroup(files: string[]): Promise<number | null> {
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => undefined)
    if (text === undefined) continue
    const value = Number(text.trim())
    // v1 reports a huge number when unlimited.
    return Number.isFinite(value) && value > 0 && value < 2 ** 60 ? value : null
  }
  return null
}

/** The container's memory limit from its cgroup (v2 or v1); null where none applies. */
export const cgroupMemoryLimit = () => readCgroup(['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'])

/** Memory the container's cgroup charges (all its processes, page cache included); null outside one. */
export const cgroupMemoryUsage = () => readCgroup(['/sys/fs/cgroup/memory.current', '/sys/fs/cgroup/memory/memory.usage_in_bytes'])

/**
 * CPU this process used since the previous reading, as a share of one core (1 = one full core).
 * Each reader keeps its own meter, so the health check and the usage report do not split a window.
 */
export function createCpuMeter() {
  let lastCpu = process.cpuUsage()
  let lastAt = process.hrtime.bigint()
  return () => {
    const now = process.hrtime.bigint()
    const cpu = process.cpuUsage(lastCpu)
    const elapsedMicros = Number(now - lastAt) / 1000
    lastCpu = process.cpuUsage()
    lastAt = now
    return { cores: elapsedMicros > 0 ? Math.round(((cpu.user + cpu.system) / elapsedMicros) * 1000) / 1000 : 0, userMicros: cpu.user, systemMicros: cpu.system }
  }
}
