import type { Server } from "node:http";
import type { Socket } from "node:net";

/** Connections one client may hold open before its request's headers are in (a slowloris holds them all). */
export const PENDING_PER_CLIENT = 16;

/**
 * Keeps one client from filling the server with connections that never finish their headers: past
 * PENDING_PER_CLIENT such connections from one address, its oldest is closed for each new one. A
 * connection whose request arrived is no longer counted, so a quick request (a health check) from
 * the same address still gets its turn while the slow ones are shed; headersTimeout ends the rest.
 */
export function guardConnections(server: Server, perClient = PENDING_PER_CLIENT): void {
  const pending = new Map<string, Set<Socket>>();
  const settle = (socket: Socket, address: string) => {
    const mine = pending.get(address);
    if (!mine?.delete(socket)) return;
    if (mine.size === 0) pending.delete(address);
  };
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "";
    const mine = pending.get(address) ?? new Set<Socket>();
    pending.set(address, mine);
    mine.add(socket);
    // Sets iterate in insertion order: the first is the oldest.
    while (mine.size > perClient) {
      const oldest = mine.values().next().value!;
      mine.delete(oldest);
      oldest.destroy();
    }
    socket.once("close", () => settle(socket, address));
  });
  server.on("request", (req) => settle(req.socket, req.socket.remoteAddress ?? ""));
}
