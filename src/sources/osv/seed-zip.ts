import { open as openFile } from "node:fs/promises";
import { inflateRawSync } from "node:zlib";
import yauzl from "yauzl";
import { formatBytes } from "../../errors.js";

const MAX_ENTRY_BYTES = 8 * 1024 * 1024;
/**
 * What a whole all.zip may unpack to. OSV's PyPI export is some tens of thousands of records,
 * about 100 MB of JSON (the benchmark's generated 30,000 records are 48 MB): 512 MB leaves room
 * for years of growth and refuses a zip bomb (150 entries of 8 MB) before anything is inflated.
 */
export const MAX_ZIP_UNPACKED_BYTES = 512 * 1024 * 1024;
const READ_AHEAD = 64;
/** Entries read ahead hold at most this many declared bytes, however large each is. */
const READ_AHEAD_BYTES = 16 * 1024 * 1024;
const STORED = 0;
const DEFLATED = 8;

export interface ZipEntryText {
  readonly name: string;
  readonly text: string;
}

function open(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // decodeStrings off: yauzl would stop the whole zip at an entry named "../x"; such names are
    // checked (and skipped) here instead.
    yauzl.open(path, { lazyEntries: true, autoClose: true, decodeStrings: false }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

/** A plain record file name: no directories going up, not absolute, no NUL. */
function safeName(raw: Buffer | string): string | undefined {
  const name = Buffer.isBuffer(raw) ? raw.toString("utf8") : raw;
  if (name.includes("\0") || name.startsWith("/") || name.split(/[\\/]/).includes("..")) return undefined;
  return name;
}

/**
 * One entry's text. Its compressed bytes are read as they are and inflated at once (synchronously;
 * records are small): yauzl's inflating stream made several thread-pool round trips per entry,
 * and 30,000 entries spent seconds waiting on them.
 */
async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<string> {
  if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) throw new Error(`unsupported compression method ${entry.compressionMethod}`);
  const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) => zip.openReadStream(entry, entry.compressionMethod === DEFLATED ? { decompress: false } : {}, (err, s) => (err ? reject(err) : resolve(s))));
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  // A size that lies, either way, is refused: never more than the limit is inflated.
  const bytes = entry.compressionMethod === DEFLATED ? inflateRawSync(raw, { maxOutputLength: MAX_ENTRY_BYTES }) : raw;
  if (bytes.length !== entry.uncompressedSize) throw new Error(`${bytes.length} bytes, not the ${entry.uncompressedSize} its header declares`);
  return bytes.toString("utf8");
}

/** A zip that declares more than it may unpack to: refused whole, before any entry is read. */
export class ZipTooLargeError extends Error {
  override name = "ZipTooLargeError";
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;

/**
 * The sum of the sizes the central directory declares for the entries that would be read, from
 * the directory read whole in one go (yauzl reads it an entry at a time: 30,000 reads cost a
 * second and a half of the seed). A ZIP64 archive (over 65,535 entries or 4 GB) is walked by yauzl.
 */
async function declaredBytes(path: string): Promise<number> {
  const file = await openFile(path, "r");
  try {
    const { size } = await file.stat();
    const tail = Buffer.alloc(Math.min(size, 22 + 0xffff));
    await file.read(tail, 0, tail.length, size - tail.length);
    const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (end < 0 || tail.readUInt32LE(end) !== EOCD) throw new Error("not a zip file (no end of central directory)");
    const count = tail.readUInt16LE(end + 10);
    const length = tail.readUInt32LE(end + 12);
    const offset = tail.readUInt32LE(end + 16);
    if (count === 0xffff || length === 0xffffffff || offset === 0xffffffff) return declaredBytesByEntry(path);
    const dir = Buffer.alloc(length);
    await file.read(dir, 0, length, offset);
    let total = 0;
    for (let at = 0, n = 0; n < count; n++) {
      if (at + 46 > dir.length || dir.readUInt32LE(at) !== CENTRAL) throw new Error("central directory is cut or corrupt");
      const declared = dir.readUInt32LE(at + 24);
      const nameLength = dir.readUInt16LE(at + 28);
      const name = safeName(dir.subarray(at + 46, at + 46 + nameLength));
      if (declared === 0xffffffff) return declaredBytesByEntry(path);
      if (name?.endsWith(".json") && declared <= MAX_ENTRY_BYTES) total += declared;
      at += 46 + nameLength + dir.readUInt16LE(at + 30) + dir.readUInt16LE(at + 32);
    }
    return total;
  } finally {
    await file.close();
  }
}

/** The same sum, walking the entries with yauzl (for ZIP64 archives). */
async function declaredBytesByEntry(path: string): Promise<number> {
  const zip = await open(path);
  return new Promise((resolve, reject) => {
    let total = 0;
    zip.on("entry", (e: yauzl.Entry) => {
      const name = safeName(e.fileName as unknown as Buffer);
      if (name?.endsWith(".json") && e.uncompressedSize <= MAX_ENTRY_BYTES) total += e.uncompressedSize;
      zip.readEntry();
    });
    zip.once("end", () => resolve(total));
    zip.once("error", reject);
    zip.readEntry();
  });
}

/**
 * Yields the `.json` entries of a zip file one at a time, so only a few records are in memory at once.
 * The entries' declared sizes are added up first: a zip that would unpack to more than
 * `maxUnpacked` is refused (ZipTooLargeError) before anything is inflated; an entry whose bytes
 * differ from its declared size is skipped, so the sum holds.
 * An entry that cannot be read (a name going outside, a size that lies, a broken stream) is
 * reported through `onSkip` and passed over: one bad entry never blocks the rest.
 */
export async function* zipJsonEntries(path: string, onSkip: (name: string, reason: string) => void = () => undefined, maxUnpacked = MAX_ZIP_UNPACKED_BYTES): AsyncGenerator<ZipEntryText> {
  const declared = await declaredBytes(path);
  if (declared > maxUnpacked) throw new ZipTooLargeError(`all.zip would unpack to ${Math.ceil(declared / 1048576)} MB, more than the ${formatBytes(maxUnpacked)} an OSV PyPI export can be (OSV's is about 100 MB); refused before unpacking`);
  const zip = await open(path);
  const next = (): Promise<yauzl.Entry | undefined> =>
    new Promise((resolve, reject) => {
      const onEntry = (e: yauzl.Entry) => { cleanup(); resolve(e); };
      const onEnd = () => { cleanup(); resolve(undefined); };
      const onError = (err: Error) => { cleanup(); reject(err); };
      function cleanup(): void {
        zip.off("entry", onEntry).off("end", onEnd).off("error", onError);
      }
      zip.on("entry", onEntry).on("end", onEnd).on("error", onError);
      zip.readEntry();
    });
  // Entries are read up to 64 ahead of the one yielded (a few hundred KB): each read waits on the
  // disk in the thread pool, and one at a time left the seed idle for seconds. Yielded in order.
  const ahead: { readonly name: string; readonly bytes: number; readonly read: Promise<{ text: string } | { error: string }> }[] = [];
  let aheadBytes = 0;
  let listed = false;
  async function fill(): Promise<void> {
    while (!listed && ahead.length < READ_AHEAD && (ahead.length === 0 || aheadBytes < READ_AHEAD_BYTES)) {
      const entry = await next();
      if (!entry) {
        listed = true;
        return;
      }
      const name = safeName(entry.fileName as unknown as Buffer);
      if (name === undefined) {
        onSkip(String(entry.fileName).slice(0, 100), "unsafe file name");
        continue;
      }
      if (!name.endsWith(".json")) continue;
      if (entry.uncompressedSize > MAX_ENTRY_BYTES) {
        onSkip(name, `larger than ${formatBytes(MAX_ENTRY_BYTES)}`);
        continue;
      }
      aheadBytes += entry.uncompressedSize;
      ahead.push({ name, bytes: entry.uncompressedSize, read: readEntry(zip, entry).then((text) => ({ text }), (err: Error) => ({ error: err.message })) });
    }
  }
  try {
    for (await fill(); ahead.length > 0; await fill()) {
      const { name, bytes, read } = ahead.shift()!;
      aheadBytes -= bytes;
      const result = await read;
      if ("error" in result) onSkip(name, result.error);
      else yield { name, text: result.text };
    }
  } finally {
    zip.close();
  }
}
