/*
 * Bounds on what one input may cost, so a hostile or broken file fails in seconds with a message instead of
 * exhausting memory. README.md ("Limits") documents each value.
 */

/** Largest services.yaml, manifest, envFiles entry, var-file or template file read (regular files only). */
export const MAX_INPUT_BYTES = 8 * 1024 * 1024;

/** How many nodes YAML aliases may add to one document when it is expanded into a tree. */
export const MAX_ALIAS_NODES = 100_000;

/**
 * services.yaml as written and var-files are read with the yaml package, whose own alias budget applies: the
 * number of alias uses times the aliases nested in what each repeats (its default).
 */
export const RAW_ALIAS_BUDGET = 100;

/** `MAX_INPUT_BYTES` for messages. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
