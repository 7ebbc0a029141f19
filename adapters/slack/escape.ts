/**
 * Slack mrkdwn: only `&`, `<`, `>` are control characters. Escaping them is what stops `<!channel>`,
 * `<!here>`, `<@U…>` and `<url|label>` links in advisory text from rendering or pinging.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
