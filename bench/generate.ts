// Scales the real records in test/fixtures up to a full PyPI mirror and a subscriber population, seeded.
import { strToU8, zipSync } from "fflate";
import { newChannel, type Channel } from "../src/channel.js";
import type { NormalizedName } from "../src/advisory/names.js";
import type { Watch } from "../src/matching/specifiers.js";
import { allOsvRecords } from "../test/helpers/fixtures.js";

export const SIZES = { advisories: 30_000, packages: 12_000, malShare: 1 / 3, channels: 100_000, watches: 1_000_000 } as const;

/** mulberry32: a small seeded PRNG, so every run sees the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const packageName = (i: number) => `bench-pkg-${i.toString(36).padStart(4, "0")}`;

type Rec = Record<string, unknown> & { affected?: { package?: { name: string; ecosystem: string }; versions?: string[] }[] };

/** 30,000 OSV records over 12,000 packages; a third MAL-, the rest real PyPA records renamed (ranges, versions and severities as they are). */
export function generateRecords(seed = 1): Record<string, unknown>[] {
  const random = rng(seed);
  const templates = allOsvRecords() as Rec[];
  const mal = templates.filter((r) => String(r["id"]).startsWith("MAL-") && !r["withdrawn"]);
  const pysec = templates.filter((r) => String(r["id"]).startsWith("PYSEC-"));
  const out: Record<string, unknown>[] = [];
  const malCount = Math.round(SIZES.advisories * SIZES.malShare);
  for (let i = 0; i < SIZES.advisories; i++) {
    const isMal = i < malCount;
    const t = isMal ? mal[i % mal.length]! : pysec[i % pysec.length]!;
    // MAL records are mostly one per fresh package; the rest spread over the popular ones.
    const pkg = isMal ? packageName(4_000 + (i % 8_000)) : packageName(Math.floor(random() ** 2 * 4_000));
    const id = isMal ? `MAL-2090-${i}` : `PYSEC-2090-${i}`;
    out.push({
      ...t,
      id,
      aliases: [`CVE-2090-${100_000 + i}`],
      modified: new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString(),
      affected: (t.affected ?? []).map((a) => ({ ...a, package: { ecosystem: "PyPI", name: pkg } })),
    });
  }
  return out;
}

export function zipOf(records: readonly Record<string, unknown>[]): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const r of records) files[`${String(r["id"])}.json`] = strToU8(JSON.stringify(r));
  return zipSync(files, { level: 6 });
}

/** 100,000 channels holding 1,000,000 watches, names with a popularity skew, a third with specifiers. */
export function generateChannels(seed = 2): Channel[] {
  const random = rng(seed);
  const channels: Channel[] = [];
  const perChannel = SIZES.watches / SIZES.channels;
  const specs = [">=1.0", "<2", "==1.2.3", ">=0.5,<3"];
  for (let c = 0; c < SIZES.channels; c++) {
    const watches = new Map<string, Watch>();
    while (watches.size < perChannel) {
      const name = packageName(Math.floor(random() ** 3 * SIZES.packages)) as NormalizedName;
      const specifier = random() < 1 / 3 ? specs[Math.floor(random() * specs.length)]! : "";
      watches.set(name, { name, specifier });
    }
    channels.push({ ...newChannel(`slack:C${c.toString().padStart(6, "0")}`), watches: [...watches.values()] });
  }
  return channels;
}
