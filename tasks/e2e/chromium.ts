/**
 * Debian's headless Chromium, driven over the Chrome DevTools Protocol from Deno: open a page,
 * read its text, take a screenshot. A fresh profile per browser, removed on close.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sleep, waitFor } from "./helpers.ts";

export const CHROMIUM = "/usr/bin/chromium";
const SETPRIV = "/usr/bin/setpriv";

// deno-lint-ignore no-explicit-any
type Json = any;

export class Browser {
  #id = 0;
  readonly #pending = new Map<number, PromiseWithResolvers<Json>>();

  private constructor(
    readonly child: Deno.ChildProcess,
    readonly profile: string,
    readonly ws: WebSocket,
    readonly session: string,
  ) {}

  static async launch(): Promise<Browser> {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: \`deno task tools --test\` installs Debian's package chromium`,
      );
    }
    const profile = mkdtempSync(join(tmpdir(), "e2e-chromium-"));
    // setpriv: the kernel kills the browser if this process dies without closing it.
    const child = new Deno.Command(existsSync(SETPRIV) ? SETPRIV : CHROMIUM, {
      args: [
        ...(existsSync(SETPRIV) ? ["--pdeathsig", "KILL", "--", CHROMIUM] : []),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        "--window-size=1280,800",
        "about:blank",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      // Chromium writes the port it chose, and the browser target's path, to this file.
      const [port, path] = await waitFor("Chromium's DevToolsActivePort", 30_000, () => {
        const file = join(profile, "DevToolsActivePort");
        if (!existsSync(file)) return Promise.resolve(undefined);
        const lines = readFileSync(file, "utf8").trim().split("\n");
        return Promise.resolve(lines.length === 2 ? lines : undefined);
      }, 100);
      const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error("cannot connect to Chromium's DevTools"));
      });
      const browser = new Browser(child, profile, ws, "");
      ws.onmessage = (e) => browser.#receive(e);
      const { targetId } = await browser.send("Target.createTarget", { url: "about:blank" });
      const { sessionId } = await browser.send("Target.attachToTarget", {
        targetId,
        flatten: true,
      });
      const page = new Browser(child, profile, ws, sessionId);
      ws.onmessage = (e) => page.#receive(e);
      await page.send("Page.enable");
      return page;
    } catch (e) {
      child.kill("SIGKILL");
      await child.status;
      rmSync(profile, { recursive: true, force: true });
      throw e;
    }
  }

  #receive(e: MessageEvent): void {
    const msg = JSON.parse(String(e.data));
    if (msg.id === undefined) return;
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    if (msg.error) p.reject(new Error(`${msg.error.message} (${msg.error.code})`));
    else p.resolve(msg.result);
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<Json> {
    const id = ++this.#id;
    const p = Promise.withResolvers<Json>();
    this.#pending.set(id, p);
    this.ws.send(JSON.stringify({
      id,
      method,
      params,
      ...(this.session ? { sessionId: this.session } : {}),
    }));
    return p.promise;
  }

  async goto(url: string): Promise<void> {
    const r = await this.send("Page.navigate", { url });
    if (r.errorText) throw new Error(`cannot open ${url}: ${r.errorText}`);
  }

  /** Evaluates an expression in the page and returns its value (JSON-serialisable). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send("Runtime.evaluate", { expression, returnByValue: true });
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.text);
    return r.result.value as T;
  }

  async screenshot(): Promise<Uint8Array> {
    const { data } = await this.send("Page.captureScreenshot", { format: "png" });
    return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  }

  async close(): Promise<void> {
    try {
      this.ws.close();
    } catch { /* already closed */ }
    this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
    await this.child.status;
    clearTimeout(timer);
    await sleep(100);
    rmSync(this.profile, { recursive: true, force: true });
  }
}
