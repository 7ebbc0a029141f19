import yauzl from "yauzl";

const MAX_ENTRY_BYTES = 8 * 1024 * 1024;

export interface ZipEntryText {
  readonly name: string;
  readonly text: string;
}

function open(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => (err ? reject(err) : resolve(zip)));
  });
}

/** Yields the `.json` entries of a zip file one at a time, so only one record is in memory at once. */
export async function* zipJsonEntries(path: string): AsyncGenerator<ZipEntryText> {
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
  try {
    for (let entry = await next(); entry; entry = await next()) {
      if (!entry.fileName.endsWith(".json") || entry.uncompressedSize > MAX_ENTRY_BYTES) continue;
      const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        zip.openReadStream(entry!, (err, s) => (err ? reject(err) : resolve(s))),
      );
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      yield { name: entry.fileName, text: Buffer.concat(chunks).toString("utf8") };
    }
  } finally {
    zip.close();
  }
}
