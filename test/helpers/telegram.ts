import { expect } from "vitest";

/** Asserts a Telegram HTML text holds only the tags pysec-herald writes, and well-formed entities. */
export function assertOwnHtmlOnly(text: string): void {
  const tags = text.match(/<[^>]*>/g) ?? [];
  for (const t of tags) expect(t).toMatch(/^<\/?(b|s|code)>$|^<a href="https?:\/\/[^"<>]+">$|^<\/a>$/);
  expect(text).not.toMatch(/&(?!(amp|lt|gt|quot);)/);
}
