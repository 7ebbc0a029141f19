import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../log.js";

export interface HttpRequest {
  readonly headers: IncomingHttpHeaders;
  /** The raw body: signatures are computed over these exact bytes. */
  readonly body: Buffer;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export type RouteHandler = (req: HttpRequest) => Promise<HttpResponse>;

/** The bot's one HTTP server (webhook receivers); routes are added by adapters before `listen`. */
export interface HttpServer {
  route(method: string, path: string, handler: RouteHandler): void;
  hasRoutes(): boolean;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

export function createHttpServer(log: Logger): HttpServer {
  const routes = new Map<string, RouteHandler>();
  let server: Server | undefined;
  return {
    route(method, path, handler) {
      routes.set(`${method} ${path}`, handler);
    },
    hasRoutes: () => routes.size > 0,
    listen(port, host = "0.0.0.0") {
      server = createServer((req, res) => {
        const handler = routes.get(`${req.method} ${(req.url ?? "/").split("?")[0]}`);
        if (!handler) {
          res.writeHead(404).end("not found");
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        req.on("data", (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) {
            res.writeHead(413).end("body too large");
            req.destroy();
          } else chunks.push(c);
        });
        req.on("end", () => {
          if (res.headersSent) return;
          handler({ headers: req.headers, body: Buffer.concat(chunks) })
            .then((r) => res.writeHead(r.status, r.headers).end(r.body ?? ""))
            .catch((err: unknown) => {
              log.error({ err: (err as Error).message, path: req.url }, "http handler failed");
              if (!res.headersSent) res.writeHead(500).end("internal error");
            });
        });
      });
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
