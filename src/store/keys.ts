// Storage keys and the `v` field of each record are the schema; bump the prefix to migrate.
export const KEYS = {
  /** `{ version }`: the layout a store was written with (open.ts refuses newer ones). */
  schema: "v1:meta:schema",
  advisory: (id: string) => `v1:advisory:${id}`,
  record: (id: string) => `v1:record:${id}`,
  alias: (alias: string) => `v1:alias:${alias}`,
  pkg: (name: string) => `v1:pkg:${name}`,
  packages: "v1:packages",
  channel: (key: string) => `v1:channel:${key}`,
  channels: "v1:channels",
  /** Changes on every channel write: instances sharing a store reload their watch index when it does. */
  /** Written by /healthz while writes fail, to see whether they work again. */
  writeProbe: "v1:meta:write-probe",
  /** Signs report links when REPORT_SECRET is unset (web/report-secret.ts). */
  reportSecret: "v1:meta:report-secret",
  channelsRevision: "v1:meta:channels-revision",
  cursor: (source: string) => `v1:cursor:${source}`,
  sources: "v1:sources",
  outbox: (key: string) => `v1:outbox:${key}`,
  outboxIndex: "v1:outbox",
  /** Before sharding: one map per advisory; still read, never written. */
  told: (advisoryId: string) => `v1:told:${advisoryId}`,
  toldShard: (advisoryId: string, shard: number) => `v1:told-shard:${shard}:${advisoryId}`,
  digest: (channel: string) => `v1:digest:${channel}`,
  /** What PyPI says about one watched project (sources/pypi/pypi-facts.ts). */
  pypi: (name: string) => `v1:pypi:${name}`,
  kev: "v1:kev",
  epss: "v1:epss",
} as const;
