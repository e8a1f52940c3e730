import { rename, writeFile } from 'node:fs/promises'

/**
 * Writes esbuild's output files (a build with `write: false`) each through a temporary file and a
 * rename: a process starting from the bundle while another build runs (two tests, two starts)
 * reads the old file or the new one, never half of one.
 */
export async function writeOutputs(outputFiles) {
  await Promise.all(
    outputFiles.map(async (file) => {
      const temporary = `${file.path}.${process.pid}.tmp`
      await writeFile(temporary, file.contents)
      await rename(temporary, file.path)
    }),
  )
}
