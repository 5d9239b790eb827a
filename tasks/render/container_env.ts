/**
 * `$(VAR)` references in a container's command and args, expanded the way the kubelet does it:
 * from the container's `env` (literal values, and the pod's namespace through the downward API).
 * The base writes per-cluster values as such references (`--endpoint=…$(CLUSTER_DOMAIN)`), so
 * that an overlay sets them by name and never by the position of an argument.
 */
import type { Container, K8sObject } from "./objects.ts";

/** What expansion reads of a container. */
type ContainerVars = Pick<Container, "env" | "args">;

/** A container's variables that are known without a running pod: name → value. */
export function containerVars(container: ContainerVars, object?: K8sObject): Map<string, string> {
  const vars = new Map<string, string>();
  for (const e of container?.env ?? []) {
    if (typeof e?.name !== "string") continue;
    if (typeof e.value === "string") vars.set(e.name, expandVars(e.value, vars));
    else if (
      e.valueFrom?.fieldRef?.fieldPath === "metadata.namespace" && object?.metadata.namespace
    ) {
      vars.set(e.name, object.metadata.namespace);
    }
  }
  return vars;
}

/**
 * `$(NAME)` replaced by its value when the variable is known, left as written when not;
 * `$$` is a literal `$` (so `$$(NAME)` stays `$(NAME)`), as the kubelet reads it.
 */
export function expandVars(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(
    /\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g,
    (all, name: string | undefined) => {
      if (name === undefined) return "$";
      return vars.get(name) ?? all;
    },
  );
}

/** A container's args with its variables expanded. */
export function expandedArgs(container: ContainerVars, object?: K8sObject): string[] {
  const vars = containerVars(container, object);
  return (container?.args ?? []).map((a) => expandVars(String(a), vars));
}
