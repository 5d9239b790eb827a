/** Small Markdown helpers shared by the generated documents. */

/** The first line of a generated document: what it comes from and how to refresh it. */
export function generatedHeader(sources: string): string {
  return `<!-- generated from ${sources} by deno task docs; do not edit -->`;
}

/** An inline code span, long enough a fence for the backticks inside it. */
export function code(s: string): string {
  const longest = Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  const pad = s.startsWith("`") || s.endsWith("`") ? " " : "";
  return `${fence}${pad}${s}${pad}${fence}`;
}

/**
 * Text in a paragraph: `<` would start an HTML tag, except inside code spans, where an entity
 * would show as written.
 */
export function inline(s: string): string {
  return s.split(/(`+[^`]*?`+)/).map((part, i) => i % 2 === 1 ? part : part.replace(/</g, "&lt;"))
    .join("");
}

/** Text in a table cell: one line, `|` escaped (GitHub reads `\|` even inside code spans). */
export function cell(s: string): string {
  return inline(s.replace(/\s*\n\s*/g, " ")).replace(/\|/g, "\\|");
}
