import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Served {
  readonly url: string;
  readonly server: Server;
  readonly requests: { path: string; status: number; bytes: number }[];
}

/** Serves fixed bodies on 127.0.0.1 (the generated all.zip, a CSV) with an ETag; answers 304 when it matches. */
export async function serveFiles(files: Record<string, Uint8Array | string>): Promise<Served> {
  const requests: Served["requests"] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0]!;
    const body = files[path];
    if (body === undefined) return void res.writeHead(404).end();
    const etag = `"${Buffer.byteLength(body)}"`;
    if (req.headers["if-none-match"] === etag) {
      requests.push({ path, status: 304, bytes: 0 });
      return void res.writeHead(304, { etag }).end();
    }
    requests.push({ path, status: 200, bytes: Buffer.byteLength(body) });
    res.writeHead(200, { etag, "content-length": String(Buffer.byteLength(body)) }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, requests };
}
