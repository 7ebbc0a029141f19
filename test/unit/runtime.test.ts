import { expect, it } from "vitest";

// npm puts node_modules/.bin first on PATH, so every npm script runs on the `node` devDependency.
it("the suite runs on Node.js 24 LTS or newer, whatever the machine's own Node is", () => {
  expect(Number(process.versions.node.split(".")[0])).toBeGreaterThanOrEqual(24);
});
