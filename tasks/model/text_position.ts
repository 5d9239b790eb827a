/** Lines and columns in a text: 1-based, columns in UTF-16 code units, as editors count them. */

export interface Position {
  line: number;
  column: number;
}

/** The line and column of a UTF-16 offset. */
export function lineColumn(text: string, offset: number): Position {
  let line = 1;
  let start = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: end - start + 1 };
}

/** The first line of `text` that contains `needle`, with its column; null if none. */
export function findLine(text: string, needle: string | RegExp): Position | null {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const idx = typeof needle === "string" ? line.indexOf(needle) : line.search(needle);
    if (idx >= 0) return { line: i + 1, column: idx + 1 };
  }
  return null;
}
