import { rmSync } from "node:fs";
import { afterEach, expect, it } from "vitest";
import { addOpsRoutes } from "../../src/http/ops-routes.js";
import { createHttpServer, type HttpServer } from "../../src/http/server.js";
import { createLogger } from "../../src/log.js";
import { startFakeOsvBucket } from "../fakes/osv-bucket.js";
import { allOsvRecords } from "../helpers/fixtures.js";
import { startHarness, type Harness } from "../helpers/harness.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function serve(h: Harness): Promise<string> {
  const http: HttpServer = createHttpServer(createLogger("silent"));
  addOpsRoutes(http, { ...h.services, sources: h.services.sources.map((s) => s.id) });
  const port = await http.listen(0, "127.0.0.1");
  cleanup.push(() => http.close());
  return `http://127.0.0.1:${port}`;
}

it("/healthz is 200 with each source's last success age, and /metrics counts polls and outbox depth", async () => {
  const bucket = await startFakeOsvBucket(allOsvRecords());
  cleanup.push(() => bucket.close());
  const h = await startHarness(bucket.url);
  cleanup.push(() => h.close());
  const base = await serve(h);
  await h.command("console:local", "watch requests");
  expect(await h.poll("osv")).toBe(true);
  h.clock.advance(90_000);

  const res = await fetch(`${base}/healthz`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: "ok", store: "ok", sources: { osv: { lastSuccessAgeSeconds: 90, failing: false } }, mirror: "ready" });

  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toMatch(/pysec_herald_polls_total\{source="osv",outcome="ok"\} 1/);
  expect(metrics).toMatch(/pysec_herald_records_ingested_total\{source="osv"\} [1-9]/);
  expect(metrics).toMatch(/pysec_herald_outbox_depth\{state="pending"\} 0/);
  expect(metrics).toContain("# TYPE pysec_herald_event_to_send_seconds histogram");
});

it("/healthz is 503 when every source is failing, and when the store is unreachable", async () => {
  const h = await startHarness("http://127.0.0.1:9");
  cleanup.push(async () => rmSync(h.dir, { recursive: true, force: true })); // its store is closed below
  const base = await serve(h);
  // Not polled yet: nothing fails, but the mirror cannot answer, so service is degraded.
  expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ status: "degraded", mirror: "not-ready" });
  expect(await h.poll("osv")).toBe(false);
  const failing = await fetch(`${base}/healthz`);
  expect(failing.status).toBe(503);
  expect(await failing.json()).toMatchObject({ status: "failing", store: "ok", sources: { osv: { failing: true } }, mirror: "not-ready" });
  expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/pysec_herald_polls_total\{source="osv",outcome="failed"\} 1/);

  await h.services.db.close();
  const down = await fetch(`${base}/healthz`);
  expect(down.status).toBe(503);
  expect(await down.json()).toMatchObject({ status: "failing", store: "unreachable" });
});

it("with OPS_TOKEN set, /healthz tells the public only its verdict and /metrics needs the token", async () => {
  const bucket = await startFakeOsvBucket(allOsvRecords());
  cleanup.push(() => bucket.close());
  const h = await startHarness(bucket.url);
  cleanup.push(() => h.close());
  const http: HttpServer = createHttpServer(createLogger("silent"));
  expect(await h.poll("osv")).toBe(true);
  addOpsRoutes(http, { ...h.services, sources: ["osv"], opsToken: "ops-secret" });
  const base = `http://127.0.0.1:${await http.listen(0, "127.0.0.1")}`;
  cleanup.push(() => http.close());
  expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
  const auth = { headers: { authorization: "Bearer ops-secret" } };
  expect(await (await fetch(`${base}/healthz`, auth)).json()).toMatchObject({ status: "ok", store: "ok", sources: { osv: { failing: false } } });
  expect((await fetch(`${base}/metrics`)).status).toBe(401);
  expect((await fetch(`${base}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
  expect(await (await fetch(`${base}/metrics`, auth)).text()).toContain("pysec_herald_polls_total");
  // The scheme is case-insensitive; the token is not.
  for (const scheme of ["bearer", "BEARER"]) expect((await fetch(`${base}/metrics`, { headers: { authorization: `${scheme} ops-secret` } })).status).toBe(200);
  expect((await fetch(`${base}/metrics`, { headers: { authorization: "Bearer OPS-SECRET" } })).status).toBe(401);
});
