/**
 * The reference agent image and its manifests: the Codex version the image pins is the one the tests run, the
 * image keeps tini as PID 1 and trusts the synced workspace, and the shop's agent has rights in its slot
 * namespace only.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadStack } from '../../packages/core/src/config/load.js';
import { renderStack } from '../../packages/core/src/render/stack.js';

const ROOT = path.resolve('.');
const dockerfile = readFileSync(path.join(ROOT, 'examples/agent/Dockerfile'), 'utf8');

describe('examples/agent', () => {
  it('pins the Codex CLI the tests run, and every tool it downloads', () => {
    const tools = readFileSync(path.join(ROOT, 'test/setup/install-tools.sh'), 'utf8');
    const tested = /^CODEX_VERSION="([^"]+)"/m.exec(tools)?.[1];
    expect(tested).toBeTruthy();
    expect(dockerfile).toMatch(new RegExp(`^ARG CODEX_VERSION=${tested!.replace(/\./g, '\\.')}$`, 'm'));
    expect(dockerfile).toContain('"@openai/codex@${CODEX_VERSION}"');
    expect(dockerfile).toMatch(/kubectl\.sha256.*sha256sum -c/s);
    expect(dockerfile).not.toMatch(/:latest|@latest/);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    expect(dockerfile).toContain("safe.directory '*'");
  });

  it("the shop's agent: its own ServiceAccount, rights in the slot namespace only, tini kept as PID 1", () => {
    const stack = loadStack({
      config: path.join(ROOT, 'examples/shop/services.yaml'),
      env: 'ai',
      slot: 2,
      processEnv: {},
    });
    const docs = renderStack(stack, { onlyInfra: ['agent'] }).documents.map((d) => d.object);
    expect(docs.map((d) => `${d.kind}/${d.metadata?.namespace ?? ''}/${d.metadata?.name}`).sort()).toEqual([
      'Deployment/shop-ai-2/codex',
      'Role/shop-ai-2/codex-slot',
      'RoleBinding/shop-ai-2/codex-slot',
      'Secret/shop-ai-2/codex-github',
      'Secret/shop-ai-2/openai-secret',
      'ServiceAccount/shop-ai-2/codex',
    ]);
    // The keys come from the environment of the step that applies the stack, never from the repository.
    const secrets = docs.filter((d) => d.kind === 'Secret');
    expect(secrets.map((d) => d.stringData)).toEqual([{ OPENAI_API_KEY: '' }, { GH_TOKEN: '' }]);
    const withKey = loadStack({
      config: path.join(ROOT, 'examples/shop/services.yaml'),
      env: 'ai',
      slot: 2,
      processEnv: { OPENAI_API_KEY: 'sk-"quoted\\key', AGENT_GH_TOKEN: 'ghs_x' },
    });
    const rendered = renderStack(withKey, { onlyInfra: ['agent'] }).documents.map((d) => d.object);
    expect(rendered.filter((d) => d.kind === 'Secret').map((d) => d.stringData)).toEqual([
      { OPENAI_API_KEY: 'sk-"quoted\\key' },
      { GH_TOKEN: 'ghs_x' },
    ]);
    const role = docs.find((d) => d.kind === 'Role')!;
    for (const rule of role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]) {
      expect(rule.apiGroups).not.toContain('rbac.authorization.k8s.io');
      expect(rule.apiGroups).not.toContain('*');
      expect(rule.resources).not.toContain('*');
      expect(rule.verbs).not.toContain('*');
    }
    const binding = docs.find((d) => d.kind === 'RoleBinding')!;
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'codex', namespace: 'shop-ai-2' }]);
    const pod = (docs.find((d) => d.kind === 'Deployment')!.spec as any).template.spec;
    expect(pod.serviceAccountName).toBe('codex');
    const [container] = pod.containers;
    expect(container.command).toBeUndefined();
    expect(container.args).toEqual(['sleep', 'infinity']);
    expect(container.workingDir).toBe('/workspace');
    expect(container.volumeMounts).toContainEqual({
      name: 'workspace',
      mountPath: '/workspace',
      subPath: 'slots/2/src',
    });
  });
});
