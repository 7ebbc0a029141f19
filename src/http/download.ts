import { request } from "undici";
import { MAX_IMPORT_CHARS } from "../commands/parse.js";
import { UserInputError } from "../errors.js";
import { readLimited } from "./client.js";
import { urlUnder } from "./url-under.js";
import { decodeDependencyFile } from "../deps/decode.js";

export interface ImportDownload {
  /** Only URLs below this base are fetched: a chat payload must not make the bot request arbitrary hosts. */
  readonly base: string;
  readonly platform: string;
  readonly headers?: Record<string, string>;
}

/**
 * Downloads a dependency file a person attached in chat, for `watch -r`. Every failure is a
 * UserInputError whose message can be shown to them as is.
 */
export async function downloadImport(url: string, opts: ImportDownload): Promise<string> {
  const target = urlUnder(url, opts.base);
  if (!target) throw new UserInputError(`That file is not stored on ${opts.platform}'s file server; please paste its text instead.`);
  const res = await request(target, { headers: opts.headers ?? {}, headersTimeout: 30_000, bodyTimeout: 30_000 }).catch(() => {
    throw new UserInputError(`I could not reach ${opts.platform} to download the file; please try again or paste its text.`);
  });
  // A 200 with an HTML page is a login page: the token lacks the scope to read files.
  if (res.statusCode !== 200 || String(res.headers["content-type"] ?? "").startsWith("text/html")) {
    res.body.resume();
    throw new UserInputError(`${opts.platform} did not give me the file (HTTP ${res.statusCode}); please try again or paste its text.`);
  }
  return readLimited(res.body, MAX_IMPORT_CHARS, "attachment", opts.platform, decodeDependencyFile).catch(() => {
    throw new UserInputError(`The file is larger than ${MAX_IMPORT_CHARS / 1024} KB.`);
  });
}
