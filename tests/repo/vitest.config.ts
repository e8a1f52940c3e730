import { defineConfig } from 'vitest/config'

/** Checks on the repository itself: it stands alone (no ../shared), and its vendored files are intact. */
export default defineConfig({
  test: {
    include: ['tests/repo/**/*.test.ts'],
    testTimeout: 60_000,
  },
})
