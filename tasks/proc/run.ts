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

/** Reads a stream to its end, calling `onLine` per complete line; returns the whole bytes. */
async function collect(
  stream: ReadableStream<Uint8Array>,
  onLine: ((line: string) => void) | undefined,
): Promise<Uint8Array> {
  const dec = new TextDecoder();
  const chunks: Uint8Array[] = [];
  let partial = "";
  for await (const chunk of stream) {
    chunks.push(chunk);
    if (!onLine) continue;
    const lines = (partial + dec.decode(chunk, { stream: true })).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  }
  if (onLine) {
    const rest = partial + dec.decode();
    if (rest !== "") onLine(rest);
  }
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

/** Like run(), with stdout as bytes (for output measured in bytes, such as git cat-file's). */
export async function runBytes(
  cmd: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<{ code: number; stdout: Uint8Array; stderr: string }> {
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
    // Output is read while the input is written: a program that answers as it reads (git
    // cat-file --batch) would otherwise fill its output pipe and stop reading.
    const done = Promise.all([
      collect(child.stdout, undefined),
      collect(child.stderr, opts.onStderrLine),
      child.status,
    ]);
    if (opts.stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(new TextEncoder().encode(opts.stdin));
      await w.close();
    }
    const [stdout, stderr, status] = await done;
    return { code: status.code, stdout, stderr: new TextDecoder().decode(stderr) };
  } finally {
    clearTimeout(timer);
  }
}

export async function run(
  cmd: string,
  args: readonly string[],
  opts: RunOptions = {},
): Promise<RunResult> {
  const r = await runBytes(cmd, args, opts);
  return { code: r.code, stdout: new TextDecoder().decode(r.stdout), stderr: r.stderr };
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
