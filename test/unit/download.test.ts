// An attachment URL from a chat payload is fetched only below the platform's file server, checked
// as the request would resolve it: `<base>/../elsewhere` passed a prefix check on the text.
import { afterAll, beforeAll, expect, it } from "vitest";
import { downloadImport } from "../../src/http/download.js";
import { createHttpClient } from "../../src/http/client.js";
import { urlUnder } from "../../src/http/url-under.js";
import { startFakeServer, type FakeServer } from "../fakes/fake-server.js";

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer((req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(`served ${req.url}`));
});
afterAll(() => server.close());

it("an attachment URL that leaves the file server's path once normalised is refused, and never requested", async () => {
  const base = `${server.url}/cdn`;
  expect(await downloadImport(`${base}/attachments/1/requirements.txt`, { base, platform: "Discord" })).toBe("served /cdn/attachments/1/requirements.txt");
  for (const escape of ["/cdn/../slack/api/auth.test", "/cdn/%2e%2e/slack/api/auth.test", "/cdn/attachments/../../slack/api/auth.test", "/cdn/.%2E/slack/api/auth.test"]) {
    await expect(downloadImport(`${server.url}${escape}`, { base, platform: "Discord" })).rejects.toThrow(/not stored on Discord's file server/);
  }
  expect(server.requests.filter((r) => r.path.includes("slack"))).toEqual([]);
});

it("the sources' client checks the same way", async () => {
  const http = createHttpClient({ allowedPrefixes: [`${server.url}/osv`, `${server.url}/feed.xml`], timeoutMs: 1000, retries: 0 });
  await expect(http.text(`${server.url}/osv/../secret`, { source: "osv", maxBytes: 100 })).rejects.toThrow(/not under a configured base URL/);
  expect(await http.text(`${server.url}/feed.xml`, { source: "feeds", maxBytes: 100 })).toBe("served /feed.xml");
  expect(await http.text(`${server.url}/osv/PyPI/x.json`, { source: "osv", maxBytes: 100 })).toBe("served /osv/PyPI/x.json");
  expect(server.requests.filter((r) => r.path.includes("secret"))).toEqual([]);
  expect([urlUnder("http://h/a/b", "http://h/a"), urlUnder("http://h/ab", "http://h/a"), urlUnder("http://user@h/a/b", "http://h/a"), urlUnder("http://h:81/a/b", "http://h/a")]).toEqual(["http://h/a/b", undefined, undefined, undefined]);
});
