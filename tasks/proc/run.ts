/** Runs a program to completion and captures its output; never throws on a non-zero exit. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  stdin?: string;
  /** Kill the process after this many milliseconds (default 10 minutes). */
  timeoutMs?: number;
  /** Called with each line of standard error as it arrives (it is still captured). */
  onStderrLine?: (line: string) => void;
}

/** Reads a stream to its end, calling `onLine` per complete line; returns the whole text. */
async function collect(
  stream: ReadableStream<Uint8Array>,
  onLine: ((line: string) => void) | undefined,
): Promise<string> {
  const dec = new TextDecoder();
  let all = "";
  let partial = "";
  for await (const chunk of stream) {
    const text = dec.decode(chunk, { stream: true });
    all += text;
    if (!onLine) continue;
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  }
  const rest = dec.decode();
  all += rest;
  if (onLine && partial + rest !== "") onLine(partial + rest);
  return all;
}

export async function run(
  cmd: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  const command = new Deno.Command(cmd, {
    args: [...args],
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    stdin: opts.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  });
  let child: Deno.ChildProcess;
  try {
    child = command.spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${cmd} is not installed; run \`deno task tools\``);
    }
    throw e;
  }
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, opts.timeoutMs ?? 600_000);
  try {
    if (opts.stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(opts.stdin));
      await w.close();
    }
    const [stdout, stderr, status] = await Promise.all([
      collect(child.stdout, undefined),
      collect(child.stderr, opts.onStderrLine),
      child.status,
    ]);
    return { code: status.code, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** Like run(), but throws with the command's stderr when it exits non-zero. */
export async function runOk(
  cmd: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<string> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ")} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`,
    );
  }
  return r.stdout;
}
