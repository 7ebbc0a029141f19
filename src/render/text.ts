/** Trims to at most `max` characters at a word boundary, adding `…`; never cuts inside a word when avoidable. */
export function trimAtWord(text: string, max: number, suffix = "…"): string {
  if (text.length <= max) return text;
  const room = max - suffix.length;
  const cut = text.slice(0, room);
  const space = cut.search(/\s\S*$/);
  return `${(space > room * 0.6 ? cut.slice(0, space) : cut).trimEnd()}${suffix}`;
}

/** Breaks every line longer than `max` at word boundaries (a word longer than `max` is cut), so nothing is trimmed away. */
export function wrapLines(text: string, max: number): string {
  return text.split("\n").flatMap((line) => {
    const out: string[] = [];
    let rest = line;
    while (rest.length > max) {
      const space = rest.lastIndexOf(" ", max);
      const at = space > max * 0.6 ? space : max;
      out.push(rest.slice(0, at).trimEnd());
      rest = rest.slice(at).trimStart();
    }
    out.push(rest);
    return out;
  }).join("\n");
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

// Advisory text is public input: control characters (terminal escapes, NUL), bidirectional
// overrides and isolates, and other invisible marks could disguise what a message says.
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

const HAS_INVISIBLE = new RegExp(INVISIBLE.source);

/** The same text with every such character shown as U+FFFD, on every platform. */
export function neutralize(text: string): string {
  return text.replace(INVISIBLE, "\uFFFD");
}

// Only plain http(s) links without characters that could break out of the platforms' link syntax.
const SAFE_URL = /^https?:\/\/[^\s<>()[\]"'`|\\]+$/;

/** The link if it is a plain http(s) URL that every platform can parse; undefined otherwise. */
export function safeUrl(url: string): string | undefined {
  if (url.length > 512 || !SAFE_URL.test(url) || HAS_INVISIBLE.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === "https:" || parsed.protocol === "http:") && parsed.hostname ? url : undefined;
  } catch {
    return undefined;
  }
}
