/**
 * Results of deterministic steps (a tool run on given inputs) keyed by the hash of everything
 * they depend on: kept in memory for the run (identical work across clusters is done once) and
 * under `.cache/validate/<kind>/` between runs (a warm run redoes nothing that did not change).
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** sha256 of strings, separated so that ("ab","c") and ("a","bc") differ. */
export function hashOf(...parts: readonly string[]): string {
  const h = createHash("sha256");
  for (const p of parts) {
    h.update(String(p.length));
    h.update(":");
    h.update(p);
  }
  return h.digest("hex");
}

/** Identifies a folder's contents by names, sizes and modification times (cheap, no reads). */
export async function folderIdentity(dir: string): Promise<string> {
  const parts: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else {
        const s = await stat(join(dir, child));
        parts.push(`${child}:${s.size}:${s.mtime?.getTime()}`);
      }
    }
  };
  await walk("");
  return hashOf(dir, ...parts);
}

export class ResultCache {
  readonly #memory = new Map<string, Promise<unknown>>();

  /** `dir` null keeps results for this run only. */
  constructor(readonly dir: string | null) {}

  /** The result of `fn` for `key`, computed at most once per run and read back across runs. */
  get<T>(kind: string, key: string, fn: () => Promise<T>): Promise<T> {
    const id = `${kind}/${key}`;
    const known = this.#memory.get(id);
    if (known) return known as Promise<T>;
    const p = this.#load<T>(kind, key, fn);
    this.#memory.set(id, p);
    return p;
  }

  /**
   * Results for many items at once: cached ones are read, the others (one per distinct key) are
   * computed by a single call of `compute`, which returns their results in order.
   */
  async many<I, T>(
    kind: string,
    items: readonly I[],
    keyOf: (item: I) => string,
    compute: (missing: I[]) => Promise<T[]>,
  ): Promise<T[]> {
    const keys = items.map(keyOf);
    const found = new Map<string, T>();
    const distinct = [...new Set(keys)];
    const hit = new Set<string>();
    await Promise.all(distinct.map(async (key) => {
      const id = `${kind}/${key}`;
      const known = this.#memory.get(id);
      if (known) {
        found.set(key, await known as T);
        hit.add(key);
        return;
      }
      const read = await this.#read<T>(kind, key);
      if (read.hit) {
        found.set(key, read.value as T);
        hit.add(key);
      }
    }));
    // In the items' order, not in the order the reads finished: the same run computes the same.
    const missing = new Map(
      distinct.filter((k) => !hit.has(k)).map((k) => [k, items[keys.indexOf(k)] as I]),
    );
    if (missing.size > 0) {
      // In the items' order, not in the order the reads above happened to finish.
      const pending = [...new Set(keys)].filter((k) => missing.has(k));
      const computing = compute(pending.map((k) => missing.get(k) as I));
      pending.forEach((key, i) => {
        const p = computing.then((values) => values[i] as T);
        // Awaited only by a later caller of the same key; a failure is reported to this one.
        p.catch(() => {});
        this.#memory.set(`${kind}/${key}`, p);
      });
      const values = await computing;
      await Promise.all(pending.map(async (key, i) => {
        found.set(key, values[i] as T);
        await this.#write(kind, key, values[i]);
      }));
    }
    return keys.map((k) => found.get(k) as T);
  }

  async #read<T>(kind: string, key: string): Promise<{ hit: boolean; value?: T }> {
    if (!this.dir) return { hit: false };
    try {
      return {
        hit: true,
        value: JSON.parse(await readFile(join(this.dir, kind, `${key}.json`), "utf8")),
      };
    } catch {
      return { hit: false };
    }
  }

  async #write(kind: string, key: string, value: unknown): Promise<void> {
    if (!this.dir) return;
    const file = join(this.dir, kind, `${key}.json`);
    await mkdir(join(this.dir, kind), { recursive: true });
    const tmp = `${file}.${Deno.pid}.${crypto.randomUUID()}.tmp`;
    await writeFile(tmp, JSON.stringify(value));
    await rename(tmp, file);
  }

  async #load<T>(kind: string, key: string, fn: () => Promise<T>): Promise<T> {
    const read = await this.#read<T>(kind, key);
    if (read.hit) return read.value as T;
    const value = await fn();
    await this.#write(kind, key, value);
    return value;
  }
}
