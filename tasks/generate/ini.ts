/** grafana.ini in and out: the subset Grafana uses (sections, `key = value`, `;`/`#` comments). */
import type { GrafanaIni } from "../model/cluster.ts";

/** Parses an ini text into sections of keys; keys before any section go to section "". */
export function parseIni(text: string): GrafanaIni {
  const out: GrafanaIni = {};
  let section = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith(";") || line.startsWith("#")) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1]!.trim();
      out[section] ??= {};
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) throw new Error(`ini: expected "key = value" or "[section]", found "${line}"`);
    (out[section] ??= {})[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

/** Renders sections and keys sorted, so the output depends on the content only. */
export function renderIni(ini: GrafanaIni): string {
  const blocks: string[] = [];
  for (const section of Object.keys(ini).sort()) {
    const keys = ini[section] ?? {};
    const lines = Object.keys(keys).sort().map((k) => `${k} = ${String(keys[k])}`);
    blocks.push(section === "" ? lines.join("\n") : [`[${section}]`, ...lines].join("\n"));
  }
  return blocks.join("\n\n") + "\n";
}
