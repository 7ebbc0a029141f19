import { z } from "zod";

const positiveInt = z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").positive("must be more than 0");
/** A base URL, kept without its trailing slash. */
const url = z.string().url().transform((u) => u.replace(/\/+$/, ""));
const list = (v: string) => v.split(",").map((x) => x.trim()).filter(Boolean);

export const ROLES = ["poller", "delivery", "discord", "slack", "telegram"] as const;
export type Role = (typeof ROLES)[number];
const SOURCES = ["osv", "pypa", "psf", "feeds", "priority", "pypi"] as const;

/**
 * One row per environment variable: the single source for parsing (its schema, its default),
 * `--help`, log redaction and the names in error messages.
 */
interface EnvVar {
  readonly name: string;
  /** Where its value goes in Config ("port", "discord.token"). */
  readonly key: string;
  readonly schema: z.ZodType;
  readonly description: string;
  readonly default: string;
  readonly secret?: boolean;
}

export const ENV_VARS = [
  { name: "STORE_URL", key: "storeUrl", schema: z.string().min(1), description: "Where state is kept: sqlite://<path> (the embedded default), redis://host:port[/db] or postgresql://user@host/db (shared by several instances)", default: "sqlite://./data/pysec-herald.sqlite" },
  { name: "QUEUE_URL", key: "queueUrl", schema: z.union([z.literal(""), z.string().regex(/^rediss?:\/\//, "must be a redis:// URL")]), description: "Redis for BullMQ (redis://host:port[/db]): delivery queues per platform and poll/digest job schedulers shared by several instances; unset runs everything in this process on the store's outbox", default: "" },
  { name: "ROLES", key: "roles", schema: z.string().transform(list).pipe(z.array(z.enum(ROLES)).min(1, "name at least one role")), description: "What this instance does, comma-separated: poller (polls, matching, digests), delivery (sends queued messages), discord, slack, telegram (answers that platform's commands)", default: "poller,delivery,discord,slack,telegram" },
  { name: "OSV_BUCKET_URL", key: "osvBucketUrl", schema: url, description: "Base URL of the OSV export bucket (PyPI/all.zip, PyPI/modified_id.csv, PyPI/<ID>.json)", default: "https://storage.googleapis.com/osv-vulnerabilities" },
  { name: "OSV_POLL_SECONDS", key: "osvPollSeconds", schema: positiveInt, description: "Seconds between polls of OSV's change list", default: "300" },
  { name: "SOURCES", key: "sources", schema: z.string().transform(list).pipe(z.array(z.enum(SOURCES))), description: "Advisory sources to poll, comma-separated: osv, pypa, psf, feeds, priority, pypi", default: "osv,pypa,psf,feeds,priority,pypi" },
  { name: "GITHUB_API_URL", key: "githubApiUrl", schema: url, description: "GitHub REST API base (PyPA and PSF advisory-database commits)", default: "https://api.github.com" },
  { name: "GITHUB_RAW_URL", key: "githubRawUrl", schema: url, description: "GitHub raw file host", default: "https://raw.githubusercontent.com" },
  { name: "GITHUB_TOKEN", key: "githubToken", schema: z.string(), description: "Optional GitHub token (higher rate limit); unauthenticated works at the default interval", default: "", secret: true },
  { name: "GITHUB_POLL_SECONDS", key: "githubPollSeconds", schema: positiveInt, description: "Seconds between polls of the PyPA and PSF repositories", default: "300" },
  { name: "OSV_API_URL", key: "osvApiUrl", schema: url, description: "OSV API base, used to resolve the CPython versions of PSF advisories", default: "https://api.osv.dev" },
  { name: "CVE_API_URL", key: "cveApiUrl", schema: url, description: "CVE Services API base, the fallback for CPython versions", default: "https://cveawg.mitre.org" },
  { name: "PSF_ANNOUNCE_FEED_URL", key: "announceFeedUrl", schema: z.string().url(), description: "Feed of the security-announce@python.org list (RSS or Atom)", default: "https://mail.python.org/archives/list/security-announce@python.org/feed/" },
  { name: "PYTHON_INSIDER_FEED_URL", key: "insiderFeedUrl", schema: z.string().url(), description: "Python Insider blog feed (RSS or Atom); only security posts are used", default: "https://blog.python.org/rss.xml" },
  { name: "FEEDS_POLL_SECONDS", key: "feedsPollSeconds", schema: positiveInt, description: "Seconds between polls of the two feeds", default: "900" },
  { name: "KEV_URL", key: "kevUrl", schema: z.string().url(), description: "CISA Known Exploited Vulnerabilities catalog (JSON)", default: "https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json" },
  { name: "EPSS_URL", key: "epssUrl", schema: z.string().url(), description: "FIRST EPSS daily scores (CSV, optionally .gz)", default: "https://epss.empiricalsecurity.com/epss_scores-current.csv.gz" },
  { name: "PRIORITY_POLL_SECONDS", key: "priorityPollSeconds", schema: positiveInt, description: "Seconds between refreshes of KEV and EPSS", default: "21600" },
  { name: "PYPI_URL", key: "pypiUrl", schema: url, description: "PyPI, for its own data on watched packages: Simple API (project status, releases, yanks, provenance), JSON API (licenses), Integrity API (publishers)", default: "https://pypi.org" },
  { name: "PYPI_POLL_SECONDS", key: "pypiPollSeconds", schema: positiveInt, description: "Seconds between checks of each watched package on PyPI (one conditional request each)", default: "3600" },
  { name: "HTTP_TIMEOUT_SECONDS", key: "httpTimeoutSeconds", schema: positiveInt, description: "Longest an upstream may stay silent: before answering, or between two parts of an answer", default: "30" },
  { name: "HTTP_DEADLINE_SECONDS", key: "httpDeadlineSeconds", schema: positiveInt, description: "Longest one upstream answer may take in all, however steadily it trickles (OSV's all.zip: 15 minutes); past it the poll fails as a slow upstream", default: "120" },
  { name: "MIRROR_STALE_HOURS", key: "mirrorStaleHours", schema: positiveInt, description: "Hours after OSV's last successful update when answers say the mirror is out of date", default: "24" },
  { name: "PYSEC_HERALD_WATCH", key: "watch", schema: z.string(), description: "Watches of the console channel, separated by spaces or newlines (e.g. 'requests django>=4.2,<5')", default: "" },
  { name: "LOG_FORMAT", key: "logFormat", schema: z.enum(["auto", "json", "pretty"]), description: "auto (readable lines on a terminal, JSON otherwise), json or pretty", default: "auto" },
  { name: "LOG_LEVEL", key: "logLevel", schema: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]), description: "pino log level (fatal, error, warn, info, debug, trace, silent)", default: "info" },
  { name: "OPS_TOKEN", key: "opsToken", schema: z.string(), description: "When set, /healthz details and /metrics need 'Authorization: Bearer <token>' (set it on a public host)", default: "", secret: true },
  { name: "PUBLIC_URL", key: "publicUrl", schema: z.union([z.literal(""), url]), description: "Address people reach this bot's HTTP server at (https://bot.example.org): `report` answers with a link below it", default: "" },
  { name: "REPORT_SECRET", key: "reportSecret", schema: z.string().refine((v) => v === "" || v.length >= 16, "must be at least 16 characters"), description: "Key that signs report links; unset, one is generated on first start and kept in the store", default: "", secret: true },
  { name: "REPORT_TTL_HOURS", key: "reportTtlHours", schema: positiveInt, description: "Hours a report link stays valid", default: "24" },
  { name: "HOST", key: "host", schema: z.string().min(1), description: "Address the bot's HTTP server listens on (127.0.0.1 keeps it on loopback behind a proxy)", default: "0.0.0.0" },
  { name: "PORT", key: "port", schema: z.coerce.number().int().min(0).max(65535), description: "Port of the bot's HTTP server: GET /healthz, GET /metrics (Prometheus) and webhook receivers such as Discord HTTP interactions; 0 picks a free port", default: "8080" },
  { name: "DISCORD_TOKEN", key: "discord.token", schema: z.string(), description: "Discord bot token; with DISCORD_APPLICATION_ID it turns the Discord adapter on", default: "", secret: true },
  { name: "DISCORD_APPLICATION_ID", key: "discord.applicationId", schema: z.string().regex(/^\d*$/, "must be the numeric application id"), description: "Discord application id", default: "" },
  { name: "DISCORD_INTERACTIONS", key: "discord.interactions", schema: z.enum(["gateway", "http"]), description: "How Discord commands arrive: gateway (no public URL) or http (POST /discord/interactions)", default: "gateway" },
  { name: "DISCORD_PUBLIC_KEY", key: "discord.publicKey", schema: z.string().regex(/^([0-9a-f]{64})?$/i, "must be 64 hex characters"), description: "Discord application public key (hex), needed with DISCORD_INTERACTIONS=http", default: "" },
  { name: "DISCORD_API_URL", key: "discord.apiUrl", schema: url, description: "Discord REST API base URL", default: "https://discord.com/api" },
  { name: "DISCORD_CDN_URL", key: "discord.cdnUrl", schema: url, description: "Where Discord serves attachments (dependency files for /pysec watch file:)", default: "https://cdn.discordapp.com" },
  { name: "SLACK_BOT_TOKEN", key: "slack.botToken", schema: z.string(), description: "Slack bot token (xoxb-…); turns the Slack adapter on", default: "", secret: true },
  { name: "SLACK_APP_TOKEN", key: "slack.appToken", schema: z.string(), description: "Slack app-level token (xapp-…) for Socket Mode (no public URL needed)", default: "", secret: true },
  { name: "SLACK_SIGNING_SECRET", key: "slack.signingSecret", schema: z.string(), description: "Slack signing secret, for HTTP mode (POST /slack/events) when SLACK_APP_TOKEN is unset", default: "", secret: true },
  { name: "SLACK_MANAGERS", key: "slack.managers", schema: z.enum(["members", "admins"]), description: "Who may change a Slack channel's subscription: members or admins (workspace admins and owners)", default: "members" },
  { name: "SLACK_API_URL", key: "slack.apiUrl", schema: z.string().url().transform((u) => (u.endsWith("/") ? u : `${u}/`)), description: "Slack Web API base URL", default: "https://slack.com/api/" },
  { name: "SLACK_FILES_URL", key: "slack.filesUrl", schema: z.string().url(), description: "Where Slack serves shared files; a dependency file shared with \"watch -r\" is downloaded only from below it", default: "https://files.slack.com/" },
  { name: "TELEGRAM_BOT_TOKEN", key: "telegram.token", schema: z.string(), description: "Telegram bot token from @BotFather; turns the Telegram adapter on", default: "", secret: true },
  { name: "TELEGRAM_API_ROOT", key: "telegram.apiRoot", schema: url, description: "Telegram Bot API root URL", default: "https://api.telegram.org" },
  { name: "TELEGRAM_WEBHOOK_URL", key: "telegram.webhookUrl", schema: z.union([z.literal(""), z.string().url()]), description: "Public URL of POST /telegram/webhook; unset means long polling (no public URL needed)", default: "" },
  { name: "TELEGRAM_WEBHOOK_SECRET", key: "telegram.webhookSecret", schema: z.string().regex(/^[A-Za-z0-9_-]{0,256}$/, "1-256 characters of A-Z a-z 0-9 _ -"), description: "Secret Telegram sends back in X-Telegram-Bot-Api-Secret-Token (1-256 of A-Z a-z 0-9 _ -)", default: "", secret: true },
] as const satisfies readonly EnvVar[];

type Row = (typeof ENV_VARS)[number];
type Out<K extends string> = z.output<Extract<Row, { key: K }>["schema"]>;
type Group<R> = R extends `${infer G}.${string}` ? G : never;

/** Config's type, read off the table: top-level keys, and one object per group ("discord.token"). */
export type Config = { readonly [K in Exclude<Row["key"], `${string}.${string}`>]: Out<K> } & {
  readonly [G in Group<Row["key"]>]: { readonly [K in Row["key"] as K extends `${G}.${infer F}` ? F : never]: Out<K> };
};

/** Rules across variables, checked once each variable is valid on its own. */
const RULES: readonly { readonly variable: Row["name"]; readonly message: string; readonly holds: (c: Config) => boolean }[] = [
  { variable: "DISCORD_INTERACTIONS", message: "DISCORD_INTERACTIONS=http needs DISCORD_PUBLIC_KEY", holds: (c) => c.discord.interactions !== "http" || c.discord.publicKey !== "" || c.discord.token === "" },
  { variable: "DISCORD_APPLICATION_ID", message: "DISCORD_TOKEN needs DISCORD_APPLICATION_ID (the application's numeric id, on the Developer Portal's General Information page)", holds: (c) => c.discord.token === "" || c.discord.applicationId !== "" },
  { variable: "DISCORD_TOKEN", message: "DISCORD_APPLICATION_ID needs DISCORD_TOKEN (the bot's token)", holds: (c) => c.discord.applicationId === "" || c.discord.token !== "" },
  { variable: "SLACK_BOT_TOKEN", message: "SLACK_BOT_TOKEN needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)", holds: (c) => c.slack.botToken === "" || c.slack.appToken !== "" || c.slack.signingSecret !== "" },
  { variable: "TELEGRAM_WEBHOOK_SECRET", message: "TELEGRAM_WEBHOOK_URL needs TELEGRAM_WEBHOOK_SECRET", holds: (c) => c.telegram.webhookUrl === "" || c.telegram.webhookSecret !== "" },
];

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const [group, field] = key.split(".");
  if (field === undefined) target[group!] = value;
  else ((target[group!] ??= {}) as Record<string, unknown>)[field] = value;
}

/** Builds the configuration from the environment; throws a readable error naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config: Record<string, unknown> = {};
  const issues: string[] = [];
  for (const row of ENV_VARS as readonly EnvVar[]) {
    const value = env[row.name];
    const parsed = row.schema.safeParse(value === undefined || value === "" ? row.default : value);
    if (parsed.success) setPath(config, row.key, parsed.data);
    // A list variable (SOURCES, ROLES) has one issue per bad element: each names the variable.
    else issues.push(...parsed.error.issues.map((i) => `${row.name}: ${i.message}`));
  }
  if (issues.length === 0) for (const rule of RULES) if (!rule.holds(config as Config)) issues.push(`${rule.variable}: ${rule.message}`);
  if (issues.length > 0) throw new Error(`invalid configuration: ${issues.join("; ")}`);
  return config as Config;
}

/** Values of secret variables in this environment: they must never be printed or logged. */
export function secretValues(env: NodeJS.ProcessEnv = process.env): string[] {
  const tokens = (ENV_VARS as readonly EnvVar[]).filter((v) => v.secret).map((v) => env[v.name] ?? "");
  return [...tokens, ...["STORE_URL", "QUEUE_URL"].map((n) => urlPassword(env[n]))].filter((v) => v.length >= 4);
}

// redis://:secret@host and postgresql://user:secret@host carry a password in the URL.
function urlPassword(url: string | undefined): string {
  try {
    return url ? decodeURIComponent(new URL(url).password) : "";
  } catch {
    return "";
  }
}

export function slackEnabled(c: Config): boolean {
  return c.slack.botToken !== "";
}

export function telegramEnabled(c: Config): boolean {
  return c.telegram.token !== "";
}

export function discordEnabled(c: Config): boolean {
  return c.discord.token !== "" && c.discord.applicationId !== "";
}

/** The environment section of `--help`: every variable with its default; secrets show no value. */
export function envHelp(): string {
  const width = Math.max(...ENV_VARS.map((v) => v.name.length));
  return (ENV_VARS as readonly EnvVar[])
    .map((v) => `  ${v.name.padEnd(width)}  ${v.description}\n  ${"".padEnd(width)}  default: ${v.secret ? "(secret, unset)" : v.default || "(empty)"}`)
    .join("\n");
}
