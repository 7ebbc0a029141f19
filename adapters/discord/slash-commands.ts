// The one `/pysec` application command: a subcommand for every command of the table
// (commands/table.ts), and the mapping from an interaction's options to the command core.

import { COMMAND_TABLE } from "../../src/commands/table.js";

/** Subcommands whose answers are private unless `public:true`. */
export const EPHEMERAL_BY_DEFAULT = new Set(["lookup", "help", "report"]);

const STRING = 3;
const BOOLEAN = 5;
const ATTACHMENT = 11;
const SUB_COMMAND = 1;
const MANAGE_CHANNELS = 1n << 4n;
const ADMINISTRATOR = 1n << 3n;

const publicOption = { type: BOOLEAN, name: "public", description: "Show the answer to everyone in the channel", required: false };

/**
 * The table's commands as `/pysec` subcommands, each of a command's values an option (Discord
 * wants the required ones first; the command line is made in the table's order).
 */
const SUBCOMMANDS = COMMAND_TABLE.map((spec) => ({
  name: spec.name,
  description: spec.summary,
  options: [
    ...[...spec.options].sort((a, b) => Number(b.required ?? false) - Number(a.required ?? false)).map((o) => ({
      type: o.file ? ATTACHMENT : STRING,
      name: o.name,
      description: o.description,
      required: o.required ?? false,
      ...(o.choices && { choices: o.choices.map((c) => ({ name: c, value: c })) }),
      ...(o.autocomplete && { autocomplete: true }),
      ...(!o.file && { max_length: 2000 }),
    })),
    ...(EPHEMERAL_BY_DEFAULT.has(spec.name) ? [publicOption] : []),
  ],
}));

/** The body for PUT /applications/{id}/commands: Manage Channels by default, re-checked on every interaction. */
export function commandDefinitions(): unknown[] {
  return [{
    name: "pysec",
    description: "Security advisories for the Python packages this channel uses",
    type: 1,
    default_member_permissions: String(MANAGE_CHANNELS),
    contexts: [0, 1],
    options: SUBCOMMANDS.map((s) => ({ type: SUB_COMMAND, ...s })),
  }];
}

export interface CommandOption {
  readonly name: string;
  readonly type: number;
  readonly value?: string | number | boolean;
  readonly focused?: boolean;
  readonly options?: readonly CommandOption[];
}

/** `/pysec watch packages:"a b"` → `{ text: "watch a b", public: false }`, or undefined for an unknown shape. */
export function commandText(options: readonly CommandOption[] | undefined): { text: string; public: boolean; focused?: CommandOption } | undefined {
  const sub = options?.[0];
  if (!sub || sub.type !== SUB_COMMAND) return undefined;
  const args = sub.options ?? [];
  const value = (name: string) => {
    const v = args.find((o) => o.name === name)?.value;
    return v === undefined ? "" : String(v);
  };
  // The command line the table's options make, in their order (the file is handed over apart).
  const spec = COMMAND_TABLE.find((c) => c.name === sub.name);
  if (!spec) return undefined;
  const words = spec.options.filter((o) => !o.file && o.name !== "label" && value(o.name)).map((o) => (o.keyword ? `${o.keyword} ${value(o.name)}` : value(o.name)));
  const focused = args.find((o) => o.focused);
  return { text: [sub.name, ...words].join(" "), public: value("public") === "true", ...(focused && { focused }) };
}

/** Manage Channels (or Administrator) in this channel, from the member's resolved permissions. */
export function canManage(permissions: string | undefined): boolean {
  if (!permissions) return false;
  try {
    const bits = BigInt(permissions);
    return (bits & (MANAGE_CHANNELS | ADMINISTRATOR)) !== 0n;
  } catch {
    return false;
  }
}


