import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log.js";
import { guardConnections } from "./connection-guard.js";

export interface HttpRequest {
  readonly headers: IncomingHttpHeaders;
  /** The path without the query (`/report/abc`), and the query's parameters. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The raw body: signatures are computed over these exact bytes. */
  readonly body: Buffer;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export type RouteHandler = (req: HttpRequest) => Promise<HttpResponse>;

export interface RouteOptions {
  /** Headers a genuine request always carries (its signature): without one it is refused before its body is read. */
  readonly requiredHeaders?: readonly string[];
}

/** The bot's one HTTP server (webhook receivers); routes are added by adapters before `listen`. */
export interface HttpServer {
  /** `path` is exact, or ends with `/*` for every path below it (`/report/*`). */
  route(method: string, path: string, handler: RouteHandler, opts?: RouteOptions): void;
  hasRoutes(): boolean;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

// Webhook payloads are small: a slash command, an interaction, one update.
const MAX_BODY = 64 * 1024;
/** Anyone who can reach PORT can open connections: slow or idle ones are cut, and there are only so many. */
export interface ConnectionLimits {
  readonly headersTimeout: number;
  readonly requestTimeout: number;
  readonly keepAliveTimeout: number;
  readonly maxConnections: number;
}

// A webhook or a page request sends its headers at once: 5 s is long for a real client and short
// for one that trickles them (slowloris); connection-guard.ts sheds a client's slow connections.
const LIMITS: ConnectionLimits = { headersTimeout: 5_000, requestTimeout: 10_000, keepAliveTimeout: 5_000, maxConnections: 256 };

export function createHttpServer(log: Logger, limits: ConnectionLimits = LIMITS): HttpServer {
  const routes = new Map<string, { handler: RouteHandler; required: readonly string[] }>();
  let server: Server | undefined;
  return {
    route(method, path, handler, opts = {}) {
      routes.set(`${method} ${path}`, { handler, required: opts.requiredHeaders ?? [] });
    },
    hasRoutes: () => routes.size > 0,
    listen(port, host = "0.0.0.0") {
      const { maxConnections, ...timeouts } = limits;
      // The timeouts are checked every connectionsCheckingInterval (30 s by default): check often.
      server = createServer({ ...timeouts, connectionsCheckingInterval: Math.min(1_000, timeouts.headersTimeout) }, (req, res) => {
        const [path = "/", search = ""] = (req.url ?? "/").split("?", 2);
        const below = path.lastIndexOf("/") > 0 ? `${req.method} ${path.slice(0, path.lastIndexOf("/"))}/*` : "";
        const exact = `${req.method} ${path}`;
        const route = routes.get(exact) ?? routes.get(below);
        if (!route) {
          res.writeHead(404, { connection: "close" }).end("not found");
          return;
        }
        if (route.required.some((h) => typeof req.headers[h] !== "string")) {
          res.writeHead(401, { connection: "close" }).end("unsigned request");
          req.destroy();
          return;
        }
        if (Number(req.headers["content-length"] ?? 0) > MAX_BODY) {
          res.writeHead(413, { connection: "close" }).end("body too large");
          req.destroy();
          return;
        }
        const { handler } = route;
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) {
            if (!res.headersSent) res.writeHead(413, { connection: "close" }).end("body too large");
            req.destroy();
          } else chunks.push(c);
        });
        req.on("end", () => {
          if (res.headersSent) return;
          handler({ headers: req.headers, path, query: new URLSearchParams(search), body: Buffer.concat(chunks) })
            .then((r) => res.writeHead(r.status, r.headers).end(r.body ?? ""))
            .catch((err: unknown) => {
              // The route, not the path: a path below a route (a report link) is a credential.
              log.error({ err: (err as Error).message, route: routes.has(exact) ? exact : below }, "http handler failed");
              if (!res.headersSent) res.writeHead(500).end("internal error");
            });
        });
      });
      server.maxConnections = maxConnections;
      guardConnections(server);
      return new Promise((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(port, host, () => resolve((server!.address() as AddressInfo).port));
      });
    },
    async close() {
      if (!server) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server!.close(() => resolve()));
    },
  };
}
