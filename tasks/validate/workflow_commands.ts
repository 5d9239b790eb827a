/** GitHub Actions workflow commands (`::error file=…::message`), escaped as the runner reads them. */

/** Escapes data of a workflow command (`%`, CR, LF). */
export function escapeData(s: string): string {
  return s.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** Escapes a property of a workflow command: as data, and also `:` and `,`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replaceAll(":", "%3A").replaceAll(",", "%2C");
}
