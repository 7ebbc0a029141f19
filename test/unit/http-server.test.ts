// What anyone who can reach PORT can send: unsigned or oversized bodies are refused before they are
// read, and a connection that trickles its headers is cut.
import { connect } from "node:net";
import { request } from "undici";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createHttpServer, type HttpServer } from "../../src/http/server.js";
import { createLogger } from "../../src/log.js";

let http: HttpServer;
let port: number;
let handled = 0;

beforeEach(async () => {
  handled = 0;
  http = createHttpServer(createLogger("silent"), { headersTimeout: 500, requestTimeout: 1_000, keepAliveTimeout: 500, maxConnections: 16 });
  http.route("POST", "/hook", async (req) => {
    handled++;
    return { status: 200, body: String(req.body.length) };
  }, { requiredHeaders: ["x-signature"] });
  port = await http.listen(0, "127.0.0.1");
});
afterEach(() => http.close());

const post = (headers: Record<string, string>, body: string | Buffer) => request(`http://127.0.0.1:${port}/hook`, { method: "POST", headers, body });

it("refuses a request without the route's signature header at once, and a body over 64 KB", async () => {
  // The server answers and closes without reading the body, so the client may see the answer or a reset.
  const status = (p: Promise<{ statusCode: number }>) => p.then((r) => r.statusCode, () => "closed");
  expect([401, "closed"]).toContain(await status(post({}, Buffer.alloc(1024 * 1024, 1))));
  expect([413, "closed"]).toContain(await status(post({ "x-signature": "s" }, Buffer.alloc(65 * 1024, 1))));
  expect(handled).toBe(0);
  const ok = await post({ "x-signature": "s" }, "hello");
  expect(ok.statusCode).toBe(200);
  expect(await ok.body.text()).toBe("5");
});

it("closes a connection whose headers never finish (slowloris) within the header timeout", async () => {
  const socket = connect(port, "127.0.0.1");
  socket.write("POST /hook HTTP/1.1\r\nHost: x\r\nx-signature: s\r\n");
  let answer = "";
  const closed = await new Promise<number>((resolve) => {
    const t0 = Date.now();
    socket.on("data", (d: Buffer) => (answer += d.toString()));
    socket.on("end", () => resolve(Date.now() - t0));
    socket.on("error", () => resolve(Date.now() - t0));
  });
  socket.destroy();
  expect(answer).toMatch(/^HTTP\/1\.1 408/);
  expect(closed).toBeLessThan(5_000);
});

it("one client holding 300 slow connections (slowloris) does not keep a quick request from the same address out", async () => {
  const slow = await createHttpServer(createLogger("silent"));
  slow.route("GET", "/healthz", async () => ({ status: 200, body: "ok" }));
  const at = await slow.listen(0, "127.0.0.1");
  const sockets = Array.from({ length: 300 }, () => {
    const s = connect(at, "127.0.0.1");
    s.on("error", () => undefined);
    s.write("GET /healthz HTTP/1.1\r\nHost: x\r\n"); // and never the blank line
    return s;
  });
  try {
    // The default limits: 256 connections in all, of which one client's slow ones are shed past 16.
    await new Promise((r) => setTimeout(r, 200));
    const answers = [];
    for (let i = 0; i < 40; i++) {
      answers.push(await request(`http://127.0.0.1:${at}/healthz`, { headersTimeout: 2_000 }).then((r) => r.body.text().then(() => r.statusCode), () => 0));
      sockets.push(connect(at, "127.0.0.1").on("error", () => undefined)); // the attacker keeps opening more
    }
    expect(answers.filter((s) => s === 200)).toHaveLength(40);
  } finally {
    for (const s of sockets) s.destroy();
    await slow.close();
  }
});
