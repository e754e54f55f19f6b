import path from 'node:path';
import { UserError, type Diagnostic } from '../util/errors.js';
import type { YamlSource } from '../util/yaml-source.js';
import type { StackConfig } from './schema.js';

interface CheckInput {
  config: StackConfig;
  /** services.yaml as written (before templating): positions and raw `when` expressions come from it. */
  source: YamlSource;
  file: string;
  projectRoot: string;
}

/** Checks that catch real mistakes. Throws for what cannot work; returns warnings for what is probably wrong. */
export function checkStackConfig(input: CheckInput): Diagnostic[] {
  const { config, file } = input;
  const at = (p: (string | number)[]) => ({
    file,
    path: p
      .map((x) => (typeof x === 'number' ? `[${x}]` : x))
      .join('.')
      .replace(/\.\[/g, '['),
    ...input.source.positionOf(p),
  });
  const fail = (p: (string | number)[], message: string): never => {
    const d = at(p);
    throw new UserError(`${d.file}${d.line ? `:${d.line}:${d.col}` : ''}: ${d.path}: ${message}`, file, d.line, d.col);
  };
  const warnings: Diagnostic[] = [];
  const envNames = new Set(Object.keys(config.environments ?? {}));

  for (const [listName, items] of [
    ['infrastructure', config.infrastructure ?? []],
    ['services', config.services ?? []],
  ] as const) {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const key = item.name.trim().toLowerCase();
      if (!key) fail([listName, i, 'name'], 'must not be empty');
      const first = seen.get(key);
      if (first !== undefined)
        fail([listName, i, 'name'], `duplicate name "${item.name}" (also ${listName}[${first}]); names must be unique`);
      seen.set(key, i);
      (item.manifests ?? []).forEach((m, j) => {
        const p = m.path.trim();
        if (!p) fail([listName, i, 'manifests', j, 'path'], 'must not be empty');
        const rel = path.relative(input.projectRoot, path.resolve(input.projectRoot, p));
        if (rel.startsWith('..') || path.isAbsolute(rel)) {
          fail(
            [listName, i, 'manifests', j, 'path'],
            `"${p}" is outside the project root ${input.projectRoot}; manifests must live under the directory of services.yaml`,
          );
        }
      });
    });
  }

  const infraNames = new Set((config.infrastructure ?? []).map((i) => i.name.trim().toLowerCase()));
  for (const [envName, env] of Object.entries(config.environments ?? {})) {
    (env.slotBootstrapInfra ?? []).forEach((name, i) => {
      if (!infraNames.has(name.trim().toLowerCase())) {
        warnings.push({
          ...at(['environments', envName, 'slotBootstrapInfra', i]),
          message: `names infrastructure "${name}", which services.yaml does not define`,
        });
      }
    });
  }

  (config.services ?? []).forEach((svc, i) => {
    for (const overlayEnv of Object.keys(svc.overlays ?? {})) {
      if (!envNames.has(overlayEnv)) {
        warnings.push({
          ...at(['services', i, 'overlays', overlayEnv]),
          message: `overlay for environment "${overlayEnv}", which is not defined under environments:`,
        });
      }
    }
    const repo = svc.image?.repository?.trim();
    if (repo && !repo.includes('{{')) {
      const produced = producedRepositories(config);
      if (!produced.has(stripTag(repo))) {
        const near = [...produced].filter((r) => r.endsWith(`/${repo.split('/').pop()}`));
        const hint = near.length ? `; images: produces ${near.map((r) => `"${r}"`).join(', ')}` : '';
        warnings.push({
          ...at(['services', i, 'image', 'repository']),
          message: `"${repo}" is not built or mirrored by any images: entry, so the deployment may pull an image that does not exist${hint}`,
        });
      }
    }
  });

  for (const w of unknownEnvsInWhen(input.source.value, envNames, at)) warnings.push(w);
  return warnings;
}

function stripTag(ref: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(0, colon) : ref;
}

function producedRepositories(config: StackConfig): Set<string> {
  const out = new Set<string>();
  for (const img of Object.values(config.images ?? {})) {
    if (img.type === 'build' && img.repository) out.add(stripTag(img.repository.trim()));
    if (img.type === 'external' && img.local) out.add(stripTag(img.local.trim()));
  }
  return out;
}

/** `eq .Env "stagin"` in a when: compares with an env that does not exist, so the item silently never renders. */
function unknownEnvsInWhen(
  rawValue: unknown,
  envNames: Set<string>,
  at: (p: (string | number)[]) => Omit<Diagnostic, 'message'>,
): Diagnostic[] {
  if (envNames.size === 0) return [];
  const raw = (rawValue ?? {}) as Record<string, unknown>;
  const out: Diagnostic[] = [];
  const check = (expr: unknown, p: (string | number)[]) => {
    if (typeof expr !== 'string') return;
    for (const m of expr.matchAll(/\b(?:eq|ne)\s+\.Env((?:\s+"[^"]*")+)/g)) {
      for (const lit of m[1].matchAll(/"([^"]*)"/g)) {
        if (!envNames.has(lit[1]))
          out.push({
            ...at(p),
            message: `compares .Env with "${lit[1]}", which is not an environment defined under environments:`,
          });
      }
    }
  };
  for (const list of ['infrastructure', 'services'] as const) {
    const items = raw[list];
    if (!Array.isArray(items)) continue;
    items.forEach((item: any, i) => {
      check(item?.when, [list, i, 'when']);
      for (const [point, steps] of Object.entries(item?.hooks ?? {})) {
        if (Array.isArray(steps)) steps.forEach((s: any, j) => check(s?.when, [list, i, 'hooks', point, j, 'when']));
      }
    });
  }
  return out;
}
