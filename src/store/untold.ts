import type { QueuedDelivery } from "./ports/outbox.js";
import type { Told, ToldStore } from "./ports/told.js";

/**
 * The deliveries whose channel has not yet been told this revision (or a later one) of their
 * advisory: the rule both the outbox and the BullMQ queues apply before queuing. One read per advisory.
 */
export async function untold(told: Pick<ToldStore, "get">, entries: readonly QueuedDelivery[]): Promise<QueuedDelivery[]> {
  const byAdvisory = new Map<string, Told>();
  for (const id of new Set(entries.map((e) => e.item.advisoryId))) byAdvisory.set(id, await told.get(id));
  return entries.filter(({ item }) => (byAdvisory.get(item.advisoryId)?.[item.channel]?.revision ?? 0) < item.revision);
}
