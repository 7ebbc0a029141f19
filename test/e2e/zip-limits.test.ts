// all.zip as an attacker (or a broken mirror) may serve it: a zip bomb, a declared length past any
// export, and a temporary zip left by a seed that was killed. Through the real OSV source and poll.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { startFakeServer } from "../fakes/fake-server.js";
import { startHarness } from "../helpers/harness.js";
import { zipBomb } from "../helpers/zip-bomb.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function serving(handler: Parameters<typeof startFakeServer>[0]) {
  const served = await startFakeServer(handler);
  cleanup.push(() => served.close());
  const h = await startHarness(served.url);
  cleanup.push(() => h.close());
  return { served, h };
}

it("a zip bomb (150 entries of 7.5 MB from 1 MB on the wire) is refused before anything is unpacked", async () => {
  const bomb = zipBomb(150, 7.5 * 1024 * 1024);
  expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
  const { h } = await serving((req, res) => (req.url === "/PyPI/all.zip" ? res.end(bomb) : res.writeHead(404).end()));
  const rss = process.memoryUsage().rss;
  const started = Date.now();
  expect(await h.poll("osv")).toBe(false);
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(process.memoryUsage().rss - rss).toBeLessThan(100 * 1024 * 1024);
  const state = await h.services.cursors.get("osv");
  expect(state.lastError?.message).toMatch(/^all\.zip would unpack to 1125 MB, more than the 512 MB an OSV PyPI export can be/);
  expect(state.cursor).toBeUndefined();
  expect(await h.services.advisories.count()).toBe(0);
});

it("an all.zip declaring more bytes than any export is not downloaded", async () => {
  let sent = 0;
  const { h } = await serving((req, res) => {
    if (req.url !== "/PyPI/all.zip") return void res.writeHead(404).end();
    res.writeHead(200, { "content-length": String(2 * 1024 * 1024 * 1024) });
    // It would send for ever: the client must stop at the header.
    const timer = setInterval(() => {
      sent += 65536;
      if (!res.write(Buffer.alloc(65536))) clearInterval(timer);
    }, 5);
    res.on("close", () => clearInterval(timer));
  });
  expect(await h.poll("osv")).toBe(false);
  expect((await h.services.cursors.get("osv")).lastError?.message).toMatch(/all\.zip declares 2048 MB, more than the 512 MB an OSV PyPI export can be; not downloaded/);
  expect(sent).toBeLessThan(16 * 1024 * 1024);
});

it("a temporary zip left by a killed seed is removed by the next seed", async () => {
  // A pid no process has here (the kernel's pid_max is at most 2^22).
  const left = join(tmpdir(), `pysec-herald-seed-${2 ** 22 + 7}-killed`);
  mkdirSync(left, { recursive: true });
  writeFileSync(join(left, "all.zip"), "half a download");
  const { h } = await serving((_req, res) => res.writeHead(503).end());
  await h.poll("osv");
  expect(existsSync(left)).toBe(false);
});
