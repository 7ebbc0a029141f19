#!/usr/bin/env node
// The bin is the one module that must run on any Node: it checks the runtime before loading the
// rest (node:sqlite, undici 8 and keyv 6 need Node 24 LTS; an older Node would fail on an import).
const REQUIRED_MAJOR = 24;
const found = process.versions.node;
if (Number(found.split(".")[0]) < REQUIRED_MAJOR) {
  process.stderr.write(
    `pysec-herald: needs Node.js ${REQUIRED_MAJOR} LTS or newer, found ${found}: run it through npm inside the checkout (\`npm start\`, \`npx pysec-herald …\`; \`npm ci\` brings Node ${REQUIRED_MAJOR}), or install Node.js ${REQUIRED_MAJOR} LTS.\n`,
  );
  process.exit(2);
}
// Compiled code is cached on disk (in the temp dir) between runs: a short command such as `audit`
// spends much of its time loading modules.
(await import("node:module")).enableCompileCache?.();
await import("./main-process.js");
