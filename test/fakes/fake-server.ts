import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  /** Bytes of the response body actually sent. */
  bytes: number;
  status: number;
}

/** A scripted failure for the next request(s) whose path ends with `path`. */
export type Fault =
  | { readonly kind: "status"; readonly status: number; readonly retryAfter?: number; readonly headers?: Record<string, string> }
  | { readonly kind: "stall" }
  | { readonly kind: "truncate"; readonly bytes: number }
  /** The whole body, one byte every `everyMs` (never idle long enough for an idle timeout). */
  | { readonly kind: "trickle"; readonly everyMs: number }
  // The misbehaviour of real servers and proxies mid-response; `bytes` of the body go out first,
  // with the full length declared:
  /** then the server closes the connection (FIN). */
  | { readonly kind: "close-mid-body"; readonly bytes: number }
  /** then nothing more, until the client gives up. */
  | { readonly kind: "stall-body"; readonly bytes: number }
  /** then the connection is reset (RST). */
  | { readonly kind: "reset"; readonly bytes: number }
  /** the whole body plus `extra` bytes (or less, when negative) against the declared length, then close. */
  | { readonly kind: "wrong-length"; readonly extra: number };

export interface FakeServer {
  readonly url: string;
  /**
   * Answer every request as an HTTP/1.0 server does (python3 -m http.server, many proxies): status
   * line HTTP/1.0, the body in one write, then the connection closed by the server.
   */
  http10(on: boolean): void;
  readonly requests: LoggedRequest[];
  /** Applies `fault` to the next `times` requests for a path ending with `path`. */
  fault(path: string, fault: Fault, times?: number): void;
  /** Drops every scripted failure not yet used. */
  clearFaults(): void;
  /** Refuses connections, as a host that cannot be reached does (off: listens on the same port again). */
  unreachable(on: boolean): Promise<void>;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => unknown;

/** A stateful HTTP server on 127.0.0.1 (port 0) that logs every request and can be told to fail. */
export async function startFakeServer(handler: Handler): Promise<FakeServer> {
  const requests: LoggedRequest[] = [];
  const faults: { path: string; fault: Fault; times: number }[] = [];
  const stalled = new Set<{ destroy(): unknown }>();
  let http10 = false;
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const entry: LoggedRequest = { method: req.method ?? "GET", path, headers: req.headers, bytes: 0, status: 0 };
    requests.push(entry);
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = ((chunk: unknown, ...rest: never[]) => {
      if (chunk) entry.bytes += Buffer.byteLength(chunk as string);
      return write(chunk as string, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: never[]) => {
      if (chunk && typeof chunk !== "function") entry.bytes += Buffer.byteLength(chunk as string);
      entry.status = res.statusCode;
      return end(chunk as string, ...rest);
    }) as typeof res.end;
    const i = faults.findIndex((f) => path.endsWith(f.path) && f.times > 0);
    const fault = i >= 0 ? faults[i]!.fault : undefined;
    if (i >= 0 && --faults[i]!.times === 0) faults.splice(i, 1);
    if (fault?.kind === "status") {
      res.writeHead(fault.status, { ...(fault.retryAfter !== undefined && { "retry-after": String(fault.retryAfter) }), ...fault.headers });
      res.end("fault");
      return;
    }
    if (fault?.kind === "stall") {
      stalled.add(res);
      return;
    }
    if (http10 || (fault && fault.kind !== "truncate" && fault.kind !== "trickle")) rawResponse(res, http10 ? "1.0" : "1.1", fault, stalled);
    if (fault?.kind === "trickle") {
      res.end = ((chunk?: unknown) => {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk ?? ""));
        let i = 0;
        const timer = setInterval(() => {
          if (i >= buf.length) {
            clearInterval(timer);
            end();
          } else res.write(buf.subarray(i, ++i));
        }, fault.everyMs);
        res.on("close", () => clearInterval(timer));
        return res;
      }) as typeof res.end;
    }
    if (fault?.kind === "truncate") {
      // Send only the first bytes and end cleanly, as a proxy that cut the file would.
      const realEnd = res.end;
      res.end = ((chunk?: unknown) => {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk ?? ""));
        res.removeHeader("content-length");
        res.removeHeader("etag");
        return (realEnd as (b: Buffer) => ServerResponse).call(res, buf.subarray(0, fault.bytes));
      }) as typeof res.end;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      Promise.resolve(handler(req, res, Buffer.concat(chunks).toString("utf8"))).catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const fake: FakeServer = {
    http10(on) {
      http10 = on;
    },
    url: `http://127.0.0.1:${port}`,
    requests,
    fault(path, fault, times = 1) {
      faults.push({ path, fault, times });
    },
    clearFaults() {
      faults.length = 0;
    },
    async unreachable(on) {
      if (on === !server.listening) return;
      if (on) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      } else await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    },
    async close() {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

type BodyFault = Exclude<Fault, { kind: "status" | "stall" | "truncate" | "trickle" }>;

/**
 * Takes over the socket when the handler ends its response: writes the status line, headers and
 * body by hand, then misbehaves as `fault` says (or, with none, closes as HTTP/1.0 does).
 */
function rawResponse(res: ServerResponse, version: "1.0" | "1.1", fault: Fault | undefined, stalled: Set<{ destroy(): unknown }>): void {
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    res.statusCode = status;
    const headers = rest.find((r) => typeof r === "object" && r !== null) as Record<string, string> | undefined;
    for (const [k, v] of Object.entries(headers ?? {})) res.setHeader(k, v);
    return res;
  }) as typeof res.writeHead;
  res.end = ((chunk?: unknown) => {
    const body = chunk === undefined || typeof chunk === "function" ? Buffer.alloc(0) : Buffer.isBuffer(chunk) || chunk instanceof Uint8Array ? Buffer.from(chunk) : Buffer.from(String(chunk));
    const socket = res.socket!;
    const headers = { ...res.getHeaders(), "content-length": String(body.length), connection: "close" };
    const head = [`HTTP/${version} ${res.statusCode} ${STATUS_CODES[res.statusCode] ?? ""}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${String(v)}`)].join("\r\n");
    socket.write(`${head}\r\n\r\n`);
    const f = fault as BodyFault | undefined;
    if (!f || res.statusCode === 304) {
      socket.end(body);
    } else if (f.kind === "wrong-length") {
      socket.end(f.extra >= 0 ? Buffer.concat([body, Buffer.alloc(f.extra, 0x7b)]) : body.subarray(0, body.length + f.extra));
    } else {
      socket.write(body.subarray(0, Math.min(f.bytes, Math.max(0, body.length - 1))));
      if (f.kind === "close-mid-body") socket.end();
      else if (f.kind === "reset") socket.resetAndDestroy();
      else stalled.add(socket);
    }
    return res;
  }) as typeof res.end;
}

/** Counts requests in a sliding window; `take` is false when the platform would answer 429. */
/** The most of `times` (ms) that fall within any one window of `windowMs`: what a platform's sliding limit sees. */
export function maxInWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

export class WindowCounter {
  private readonly times = new Map<string, number[]>();
  private readonly limit: number;
  private readonly windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  take(key: string, now = Date.now()): boolean {
    const recent = (this.times.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (recent.length >= this.limit) {
      this.times.set(key, recent);
      return false;
    }
    recent.push(now);
    this.times.set(key, recent);
    return true;
  }
}
