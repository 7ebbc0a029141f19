/** Trims to at most `max` characters at a word boundary, adding `…`; never cuts inside a word when avoidable. */
export function trimAtWord(text: string, max: number, suffix = "…"): string {
  if (text.length <= max) return text;
  const room = max - suffix.length;
  const cut = text.slice(0, room);
  const space = cut.search(/\s\S*$/);
  return `${(space > room * 0.6 ? cut.slice(0, space) : cut).trimEnd()}${suffix}`;
}

/** Splits text into chunks of at most `max` characters at line boundaries (a line longer than `max` is trimmed). */
export function splitLines(text: string, max: number): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = trimAtWord(raw, max);
    if (current && current.length + 1 + line.length > max) {
      chunks.push(current);
      current = line;
    } else {
      current = current ? `${current}\n${line}` : line;
    }
  }
  if (current || chunks.length === 0) chunks.push(current);
  return chunks;
}

// Only plain http(s) links without characters that could break out of the platforms' link syntax.
const SAFE_URL = /^https?:\/\/[^\s<>()[\]"'`|\\]+$/;

export function safeUrl(url: string): string | undefined {
  return SAFE_URL.test(url) && url.length <= 512 ? url : undefined;
}
