import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/helpers/no-network.ts"],
    globalSetup: ["test/helpers/servers.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
