// Every inline markdown character is backslash-escaped (a backslash before punctuation renders the
// character itself), line-start markers (headings, lists, quotes) likewise, and mention syntax is
// broken with a zero-width space, so `@everyone`, `<@123>`, `<@&123>`, `<#123>` and masked links
// render as plain text even before `allowed_mentions: { parse: [] }` stops them from pinging.
const INLINE = /[\\*_~`|[\]()<>]/g;
const LINE_START = /^(\s*)([#>+-]|\d+\.(?=\s))/gm;
const ZWSP = "\u200b";

export function escapeDiscord(text: string): string {
  return text
    .replace(INLINE, (c) => `\\${c}`)
    .replace(LINE_START, (_m, space: string, marker: string) => (marker.endsWith(".") ? `${space}${marker.slice(0, -1)}\\.` : `${space}\\${marker}`))
    .replace(/@/g, `@${ZWSP}`);
}
