import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { request } from "undici";
import { COMMAND_TABLE } from "../../src/commands/table.js";

/** A test Ed25519 key pair; the public half in Discord's hex form. */
export function discordTestKeys(): { privateKey: KeyObject; publicKeyHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = publicKey.export({ format: "jwk" });
  return { privateKey, publicKeyHex: Buffer.from(String(jwk.x), "base64url").toString("hex") };
}

/**
 * The options a person fills in for `/pysec <text>`, read off the command table: each word goes to
 * the next option it fits (one with choices only takes one of them), a keyword option ("until")
 * takes the word after it, and the last option takes the rest.
 */
function optionsFor(sub: string, words: readonly string[]): { type: number; name: string; value: string }[] {
  const spec = COMMAND_TABLE.find((c) => c.name === sub);
  const fields = (spec?.options ?? []).filter((o) => !o.file && o.name !== "label");
  const values = new Map<string, string>();
  for (let i = 0; i < words.length; i++) {
    const keyed = fields.find((o) => o.keyword === words[i] && !values.has(o.name));
    if (keyed && words[i + 1] !== undefined) {
      values.set(keyed.name, words[++i]!);
      continue;
    }
    const open = fields.filter((o) => !o.keyword && !values.has(o.name) && (!o.choices || o.choices.includes(words[i]!)));
    const field = open[0];
    if (!field) break;
    const last = fields.filter((o) => !o.keyword && !values.has(o.name)).length === 1;
    values.set(field.name, last ? words.slice(i).join(" ") : words[i]!);
    if (last) break;
  }
  return [...values].map(([name, value]) => ({ type: 3, name, value }));
}

/** The APPLICATION_COMMAND interaction Discord would send for `/pysec <text>`. */
export function commandInteraction(text: string, opts: { channel: string; guild?: string; permissions?: string; user?: string; extra?: { name: string; type: number; value: unknown }[] }): Record<string, unknown> {
  const [sub = "help", ...words] = text.split(" ");
  const options = optionsFor(sub, words);
  const user = { id: opts.user ?? "300000000000000003", username: "tester" };
  return {
    id: String(Date.now()) + Math.floor(Math.random() * 1000),
    type: 2,
    token: "interaction-token",
    channel_id: opts.channel,
    // Fields every real interaction carries (discord.js reads them).
    locale: "en-US",
    entitlements: [],
    authorizing_integration_owners: {},
    app_permissions: "0",
    context: opts.guild ? 0 : 1,
    ...(opts.guild ? { guild_id: opts.guild, member: { user, permissions: opts.permissions ?? "0" } } : { user }),
    data: { id: "1", name: "pysec", type: 1, options: [{ type: 1, name: sub, options: [...options, ...(opts.extra ?? [])] }] },
  };
}

/**
 * POSTs an interaction to the bot's endpoint, signed like Discord signs it (or with `forge` set,
 * not); `recase` rewrites the signature's hex digits (upper or mixed case), as a replayer might.
 */
export async function postInteraction(url: string, body: unknown, key: KeyObject, forge = false, at = Date.now(), recase: (hex: string) => string = (h) => h): Promise<{ status: number; json: Record<string, unknown> | undefined }> {
  const raw = JSON.stringify(body);
  const ts = String(Math.floor(at / 1000));
  const sig = recase(sign(null, Buffer.from(ts + (forge ? `${raw} ` : raw)), key).toString("hex"));
  const res = await request(url, { method: "POST", body: raw, headers: { "content-type": "application/json", "x-signature-ed25519": sig, "x-signature-timestamp": ts } });
  const text = await res.body.text();
  return { status: res.statusCode, json: res.headers["content-type"] === "application/json" ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}
