/*
 * What images-build does for a stack: one job per `images:` entry of services.yaml. `type: external` is mirrored
 * from `from` to `local`; `type: build` is built from its Dockerfile and context (both relative to the project root)
 * and pushed to `repository:tag` (a literal `tag`, else the rendered `tagTemplate`), build args rendered with the
 * template context.
 */
import type { LoadedStack } from '../config/load.js';
import { UserError } from '../util/errors.js';
import { resolveInProject } from '../util/project-path.js';

/** Variables of the builder's own environment that a build argument must not set. */
const BUILDER_ENV =
  /^(PATH|HOME|USER|SHELL|TMPDIR|TMP|TEMP|PWD|IFS|LANG|LC_[A-Z_]+|LD_[A-Z_]+|XDG_[A-Z_]+|REGISTRY_AUTH_FILE|CONTAINERS_[A-Z_]+|BUILDAH_[A-Z_]+|STORAGE_[A-Z_]+|DOCKER_[A-Z_]+|BUILDKIT_[A-Z_]+|BUILDX_[A-Z_]+|KANIKO_[A-Z_]+|SSL_CERT_(?:DIR|FILE)|NODE_[A-Z_]+|GIT_[A-Z_]+|RUNNER_[A-Z_]+|GITHUB_[A-Z_]+|ACTIONS_[A-Z_]+)$/;

export interface ImageJob {
  name: string;
  kind: 'mirror' | 'build';
  /** Where the image goes: `registry/repository:tag`. */
  target: string;
  /** mirror: the image copied. */
  source?: string;
  /** build: absolute Dockerfile and context. */
  dockerfile?: string;
  context?: string;
  buildArgs: Record<string, string>;
}

export interface PlanSelection {
  /** Only these `images:` names (empty: all). */
  names?: readonly string[];
  mirror: boolean;
  build: boolean;
}

export function planImages(stack: LoadedStack, select: PlanSelection): ImageJob[] {
  const images = stack.config.images ?? {};
  const where = stack.displayFile;
  const unknown = (select.names ?? []).filter((n) => !Object.hasOwn(images, n));
  if (unknown.length)
    throw new UserError(
      `images: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not under images: of ${where} (it has: ${Object.keys(images).join(', ') || 'none'})`,
    );
  const jobs: ImageJob[] = [];
  for (const [name, spec] of Object.entries(images).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (select.names?.length && !select.names.includes(name)) continue;
    const field = `images.${name}`;
    if (spec.type === 'external') {
      if (!select.mirror) continue;
      const from = spec.from?.trim();
      const local = spec.local?.trim();
      if (!from || !local) throw new UserError(`${where}: ${field}: type external needs both from and local`);
      jobs.push({
        name,
        kind: 'mirror',
        source: checkRef(from, `${field}.from`, where, true),
        target: checkRef(local, `${field}.local`, where),
        buildArgs: {},
      });
      continue;
    }
    if (!select.build) continue;
    const repository = spec.repository?.trim();
    if (!repository) throw new UserError(`${where}: ${field}: type build needs repository`);
    const tag =
      spec.tag?.trim() || (spec.tagTemplate ? stack.renderField(`${field}.tagTemplate`, spec.tagTemplate).trim() : '');
    if (!tag) throw new UserError(`${where}: ${field}: type build needs tag or a tagTemplate that renders to a tag`);
    const dockerfile = resolveInProject(
      stack.projectRoot,
      spec.dockerfile?.trim() || 'Dockerfile',
      `${field}.dockerfile`,
      where,
    );
    const context = resolveInProject(stack.projectRoot, spec.context?.trim() || '.', `${field}.context`, where);
    const buildArgs: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.buildArgs ?? {})) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
        throw new UserError(`${where}: ${field}.buildArgs: "${k}" is not a build argument name`);
      // The values reach the builder through its environment (never argv): names that would steer the builder
      // itself are refused.
      if (BUILDER_ENV.test(k))
        throw new UserError(
          `${where}: ${field}.buildArgs: "${k}" is also a variable of the builder's own environment; rename the build argument`,
        );
      buildArgs[k] = stack.renderField(`${field}.buildArgs.${k}`, v);
    }
    if (spec.buildContexts && Object.keys(spec.buildContexts).length)
      throw new UserError(
        `${where}: ${field}.buildContexts: named build contexts are not supported yet; copy what they hold into the context`,
      );
    jobs.push({
      name,
      kind: 'build',
      target: checkRef(`${repository}:${tag}`, `${field}.repository`, where),
      dockerfile,
      context,
      buildArgs,
    });
  }
  return jobs;
}

/** A reference a registry accepts: `[host[:port]/]path[:tag]`, lower-case path, no whitespace. */
function checkRef(full: string, field: string, where: string, allowDigest = false): string {
  const at = full.indexOf('@');
  if (at >= 0 && (!allowDigest || !/^sha256:[0-9a-f]{64}$/.test(full.slice(at + 1))))
    throw new UserError(`${where}: ${field}: "${full}" is not an image reference (a digest is allowed in from only)`);
  const ref = at >= 0 ? full.slice(0, at) : full;
  if (ref.startsWith('-'))
    throw new UserError(`${where}: ${field}: "${ref}" is not an image reference (registry/repository:tag)`);
  if (
    !/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?$|^[a-z0-9._/-]+(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?$/.test(
      ref,
    )
  )
    throw new UserError(`${where}: ${field}: "${ref}" is not an image reference (registry/repository:tag)`);
  return full;
}
