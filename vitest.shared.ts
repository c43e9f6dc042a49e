import type { ViteUserConfig } from "vitest/config"

// Settings every test project shares.
const config: ViteUserConfig = {
  test: {
    setupFiles: [new URL("./vitest.setup.ts", import.meta.url).pathname],
    include: ["test/**/*.test.ts"],
    fakeTimers: { toFake: undefined },
    sequence: { concurrent: false },
    testTimeout: 30_000
  }
}

export default config
