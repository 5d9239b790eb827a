/**
 * `deno task schemas [--update-lock]`: builds kubeconform's offline schemas into .cache/schemas
 * from the modules pinned in tasks/schemas/sources.ts and checks them against schemas/lock.json.
 */
import { relative } from "node:path";
import { ROOT, SCHEMA_CACHE_DIR } from "../model/paths.ts";
import { ensureSchemas, SchemasError } from "./build.ts";

const USAGE = `usage: deno task schemas [--update-lock]

Builds strict JSON schemas for kubeconform into ${relative(ROOT, SCHEMA_CACHE_DIR)}/ from pinned
Go modules (go mod download), checked against schemas/lock.json.

  --update-lock  rebuild from the pins in tasks/schemas/sources.ts and rewrite the lock`;

async function main(args: string[]): Promise<number> {
  if (args.includes("-h") || args.includes("--help")) {
    console.log(USAGE);
    return 0;
  }
  const unknown = args.filter((a) => a !== "--update-lock");
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown[0]}\n\n${USAGE}`);
    return 2;
  }
  const started = performance.now();
  try {
    const r = await ensureSchemas({
      updateLock: args.includes("--update-lock"),
      log: (line) => console.error(line),
    });
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
    console.log(`schemas: ${what} (${seconds} s${sources})`);
    return 0;
  } catch (e) {
    if (e instanceof SchemasError) {
      console.error(`schemas: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
