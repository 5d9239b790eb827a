/**
 * `deno task schemas [--update-lock]`: builds kubeconform's offline schemas into .cache/schemas
 * from the modules pinned in tasks/schemas/sources.ts and checks them against schemas/lock.json.
 */
import { relative } from "node:path";
import { command, exitWith } from "../cli/command.ts";
import { ROOT, SCHEMA_CACHE_DIR } from "../model/paths.ts";
import { ensureSchemas, SchemasError } from "./build.ts";

export const schemasCommand = command({
  name: "schemas",
  summary: `Builds strict JSON schemas for kubeconform into ${
    relative(ROOT, SCHEMA_CACHE_DIR)
  }/ from pinned Go modules (go mod download), checked against schemas/lock.json.`,
  options: {
    "update-lock": {
      type: "boolean",
      default: false,
      help: "rebuild from the pins in tasks/schemas/sources.ts and rewrite the lock",
    },
  },
  findings: "schemas/lock.json and the pins or the built schemas disagree",
  async run({ values }, io) {
    const started = performance.now();
    try {
      const r = await ensureSchemas({ updateLock: values["update-lock"], log: io.err });
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const where = relative(ROOT, SCHEMA_CACHE_DIR);
      const what = {
        fresh: `${r.files} schemas in ${where} match schemas/lock.json`,
        built: `built ${r.files} schemas into ${where}; they match schemas/lock.json`,
        locked: `built ${r.files} schemas into ${where} and rewrote schemas/lock.json`,
      }[r.status];
      const sources = r.sourceBytes === undefined
        ? ""
        : `, sources ${(r.sourceBytes / 1e6).toFixed(1)} MB of module zips`;
      io.out(`schemas: ${what} (${seconds} s${sources})`);
      return 0;
    } catch (e) {
      if (!(e instanceof SchemasError)) throw e;
      io.err(`deno task schemas: ${e.message}`);
      return 1;
    }
  },
});

if (import.meta.main) await exitWith(schemasCommand);
