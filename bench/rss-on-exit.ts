// Preloaded (--import) into a whole-process run: writes its peak RSS in MB to fd 3 as it exits.
import { writeSync } from "node:fs";

process.on("exit", () => writeSync(3, String(process.resourceUsage().maxRSS / 1024)));
