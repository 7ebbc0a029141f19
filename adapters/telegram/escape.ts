/** Telegram HTML parse mode: `&`, `<`, `>` (and `"` inside attributes) must be entities; nothing else is markup. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
