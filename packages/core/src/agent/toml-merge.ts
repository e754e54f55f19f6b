import { parse, TomlError, type TomlTable } from 'smol-toml';
import { UserError } from '../util/errors.js';

/** Parses TOML written by a user (a config block, the rendered configTemplate); `what` names it in the error. */
export function parseUserToml(text: string, what: string): TomlTable {
  try {
    return parse(text);
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split('\n')[0];
      throw new UserError(
        `${what}: invalid TOML at line ${err.line}, column ${err.column}: ${first}`,
        undefined,
        undefined,
        undefined,
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}

const isTable = (v: unknown): v is TomlTable =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/**
 * Merges `over` into `base` (in place): tables merge key by key, anything else is replaced. Every replaced key is
 * reported by its dotted path, so a block that overrides what we generated (model, sandbox_mode, an MCP server's
 * url) is visible in the run's warnings rather than silent.
 */
export function mergeToml(base: TomlTable, over: TomlTable, onOverride: (path: string) => void, prefix = ''): void {
  for (const [key, value] of Object.entries(over)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const current = base[key];
    if (isTable(current) && isTable(value)) {
      mergeToml(current, value, onOverride, path);
      continue;
    }
    if (current !== undefined) onOverride(path);
    base[key] = value;
  }
}
