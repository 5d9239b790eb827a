/**
 * `deno task logs <pod> [container]`: a container's log on the running local cluster, from the
 * file the node agent keeps per container (kept across restarts). A pod is named `name` or
 * `namespace/name`; without a container, the pod's only one (or the list to choose from).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { command, exitWith, UsageError } from "../cli/command.ts";
import { runningLocalCluster } from "../controlplane/state.ts";

/** The log file of a pod's container among the agent's log folders, or why there is none. Pure. */
export function findLog(
  folders: readonly string[],
  filesOf: (folder: string) => string[],
  pod: string,
  container: string | undefined,
): { folder: string; file: string } | { error: string } {
  const [ns, name] = pod.includes("/") ? pod.split("/", 2) as [string, string] : [undefined, pod];
  const matches = folders.filter((f) => {
    const [fns, fname] = f.split("_");
    return fname === name && (ns === undefined || fns === ns);
  });
  if (matches.length === 0) return { error: `no pod ${pod} has run on the local cluster` };
  // The newest pod of that name (a StatefulSet's pod comes back under the same name).
  const folder = matches.at(-1) as string;
  const containers = filesOf(folder).filter((f) => f.endsWith(".log")).map((f) => f.slice(0, -4))
    .sort();
  if (container === undefined) {
    if (containers.length === 1) return { folder, file: `${containers[0]}.log` };
    return { error: `pod ${pod} has containers ${containers.join(", ")}: name one` };
  }
  if (!containers.includes(container)) {
    return { error: `pod ${pod} has no container ${container} (it has ${containers.join(", ")})` };
  }
  return { folder, file: `${container}.log` };
}

export const logsCommand = command({
  name: "logs",
  summary: "A container's log on the running local cluster, from the file the node agent keeps " +
    "per container (kept across restarts). A pod is named `name` or `namespace/name`; without " +
    "a container, the pod's only one (or the list to choose from).",
  options: {},
  positionals: { usage: "<pod|namespace/pod> [container]", min: 1, max: 2 },
  async run({ positionals }) {
    const state = runningLocalCluster();
    const root = join(state.dir, "node", "logs");
    const folders = existsSync(root) ? readdirSync(root).sort() : [];
    const found = findLog(
      folders,
      (f) => readdirSync(join(root, f)),
      positionals[0]!,
      positionals[1],
    );
    if ("error" in found) throw new UsageError(found.error);
    await Deno.stdout.write(readFileSync(join(root, found.folder, found.file)));
    return 0;
  },
});

if (import.meta.main) await exitWith(logsCommand);
