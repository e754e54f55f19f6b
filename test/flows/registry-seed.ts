/**
 * The image registry of a flow: Debian's docker-registry on 127.0.0.1, already holding every image the project's
 * `images:` would mirror or build for the agent environment (one small FROM scratch image pushed under each name),
 * as a registry does after an earlier slot built them. `prepare-images: true` then checks each tag (one HEAD request)
 * and skips it: no download from outside and no Dockerfile needed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadStack } from '../../packages/core/src/index.js';
import { planImages } from '../../packages/core/src/images/plan.js';
import { buildahEnv, startRegistry, type TestRegistry } from '../support/registry.js';

export async function seededRegistry(
  project: string,
  dir: string,
  env: string,
  processEnv: Record<string, string>,
): Promise<{ registry: TestRegistry; images: string[] }> {
  const registry = await startRegistry();
  try {
    const stack = loadStack({
      config: path.join(project, 'services.yaml'),
      env,
      slot: 1,
      processEnv: { PATH: process.env.PATH, ...processEnv, SHOP_REGISTRY: registry.host },
    });
    const targets = planImages(stack, { mirror: true, build: true }).map((j) => j.target);
    const context = mkdtempSync(path.join(dir, 'image-'));
    writeFileSync(path.join(context, 'Dockerfile'), 'FROM scratch\nCOPY note.txt /note.txt\n');
    writeFileSync(path.join(context, 'note.txt'), 'a stand-in image for the flow tests\n');
    const benv = { ...process.env, ...buildahEnv() };
    const local = 'localhost/flow-stand-in:1';
    execFileSync('buildah', ['bud', '-q', '-t', local, context], { env: benv, stdio: 'pipe' });
    for (const target of targets)
      execFileSync('buildah', ['push', '-q', '--tls-verify=false', local, `docker://${target}`], {
        env: benv,
        stdio: 'pipe',
      });
    return { registry, images: targets };
  } catch (err) {
    await registry.close();
    throw err;
  }
}
