import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadStack } from '../config/load.js';
import { DiagnosticsError, UserError } from '../util/errors.js';
import { LABEL_INFRA, LABEL_SERVICE } from '../objects/labels.js';
import { renderStack } from './stack.js';

/** renderStack on small projects written for each case: what it adds to, leaves in and warns about the documents. */
describe('renderStack', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-stack-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const deployment = (name: string, containers: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    matchLabels:\n      app: ${name}\n` +
    `  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n      containers:\n${containers}`;
  writeFileSync(
    path.join(dir, 'web.yaml'),
    [
      deployment('web', '        - name: web\n          image: old/web:1\n'),
      deployment(
        'worker',
        '        - name: worker\n          image: old/worker:1\n          imagePullPolicy: Always\n',
      ),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\n',
      'apiVersion: v1\nkind: Secret\nmetadata:\n  name: web-secret\n',
    ].join('---\n'),
  );
  writeFileSync(
    path.join(dir, 'infra.yaml'),
    [
      'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: placed\n  namespace: "{{ .Namespace }}"\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: blank\n  namespace: "  "\n',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\n',
      deployment('db', '        - name: db\n          image: postgres:16\n'),
    ].join('---\n'),
  );

  const project = (extra: { env?: string; service?: string; top?: string } = {}) =>
    `project: demo\n${extra.top ?? ''}environments:\n  dev:\n${extra.env ?? '    imagePullPolicy: IfNotPresent\n'}` +
    `infrastructure:\n  - name: data\n    manifests:\n      - path: infra.yaml\n` +
    `services:\n  - name: web\n    manifests:\n      - path: web.yaml\n${extra.service ?? ''}`;
  const render = (yaml: string) => {
    writeFileSync(path.join(dir, 'services.yaml'), yaml);
    return renderStack(loadStack({ config: 'services.yaml', cwd: dir, env: 'dev', processEnv: {} }));
  };
  const byName = (docs: { object: any }[], kind: string, name: string) =>
    docs.map((d) => d.object).find((o) => o.kind === kind && o.metadata.name === name);
  const containers = (obj: any) => obj.spec.template.spec.containers;

  it("the env's pull policy goes on every workload container that sets none, infra and services alike", () => {
    const { documents } = render(project());
    expect(containers(byName(documents, 'Deployment', 'web'))[0].imagePullPolicy).toBe('IfNotPresent');
    expect(containers(byName(documents, 'Deployment', 'db'))[0].imagePullPolicy).toBe('IfNotPresent');
    expect(containers(byName(documents, 'Deployment', 'worker'))[0].imagePullPolicy).toBe('Always');
    const none = render(project({ env: '    {}\n' }).replace('  dev:\n    {}', '  dev: {}'));
    expect(containers(byName(none.documents, 'Deployment', 'web'))[0]).not.toHaveProperty('imagePullPolicy');
  });

  it("the built image replaces the image of the service's own workload only, with its rendered, trimmed tag", () => {
    const image = '    image:\n      repository: " reg.local/web "\n      tagTemplate: "  {{ .Env }}-1 "\n';
    const { documents } = render(project({ service: image }));
    expect(containers(byName(documents, 'Deployment', 'web'))[0].image).toBe('reg.local/web:dev-1');
    expect(containers(byName(documents, 'Deployment', 'worker'))[0].image).toBe('old/worker:1');
    expect(containers(byName(documents, 'Deployment', 'db'))[0].image).toBe('postgres:16');
    // Without a tag template the repository alone; without a repository the manifest's image stays.
    const untagged = render(project({ service: '    image:\n      repository: reg.local/web\n' }));
    expect(containers(byName(untagged.documents, 'Deployment', 'web'))[0].image).toBe('reg.local/web');
    const tagOnly = render(project({ service: '    image:\n      tagTemplate: "2"\n' }));
    expect(containers(byName(tagOnly.documents, 'Deployment', 'web'))[0].image).toBe('old/web:1');
  });

  it('an image reference with whitespace inside is an error naming the service, not a broken Deployment', () => {
    for (const image of [
      '      repository: "reg.local/my web"\n',
      '      repository: reg\n      tagTemplate: "a b"\n',
    ]) {
      expect(() => render(project({ service: `    image:\n${image}` }))).toThrow(
        expect.objectContaining({
          constructor: UserError,
          message: expect.stringMatching(/^services\.yaml: services\[0\]\.image: ".*" is not a valid image reference/),
        }),
      );
    }
  });

  it('service documents get the slot namespace; infra documents keep theirs, and one without any is a warning', () => {
    const { documents, warnings } = render(project());
    expect(byName(documents, 'ConfigMap', 'web-config').metadata.namespace).toBe('demo-dev');
    expect(byName(documents, 'ConfigMap', 'placed').metadata.namespace).toBe('demo-dev');
    expect(byName(documents, 'PersistentVolumeClaim', 'data').metadata).not.toHaveProperty('namespace');
    const unplaced = warnings.filter((w) => w.message.includes('has no metadata.namespace'));
    // The PVC, the ConfigMap with a blank namespace and the Deployment; not the ClusterRole, not the placed one.
    expect(unplaced.map((w) => w.message.split(' ')[0])).toEqual([
      'PersistentVolumeClaim/data',
      'ConfigMap/blank',
      'Deployment/db',
    ]);
    expect(unplaced[0]).toMatchObject({ path: 'infrastructure[0] (data), document 1' });
    expect(unplaced[0]!.message).toContain('add "namespace: {{ .Namespace }}"');
    expect(unplaced[0]!.file).toMatch(/infra\.yaml$/);
  });

  it('dropKinds drops the kinds it names; a name that is no known kind and matched nothing is a warning', () => {
    const drop = (kinds: string) => `    overlays:\n      dev:\n        dropKinds: [${kinds}]\n`;
    const dropped = render(project({ service: drop('Secret, ConfigMap') }));
    const kinds = dropped.documents.filter((d) => d.group === 'service').map((d) => d.object.kind);
    expect(kinds).toEqual(['Deployment', 'Deployment']);
    expect(dropped.warnings.filter((w) => w.path?.includes('dropKinds'))).toEqual([]);
    // A known kind that matches nothing here is fine (the manifest may simply not have one); a typo is not.
    const typo = render(project({ service: drop('Ingress, Secrett') }));
    expect(typo.warnings.filter((w) => w.path?.includes('dropKinds'))).toEqual([
      expect.objectContaining({
        path: 'services[0].overlays.dev.dropKinds[1]',
        message: expect.stringMatching(/^"Secrett" is not a Kubernetes kind this tool knows .*service web/),
      }),
    ]);
  });

  it("under strict: true the render's own warnings are errors", () => {
    expect(() => render(project({ top: 'strict: true\n' }))).toThrow(DiagnosticsError);
    expect(() => render(project({ top: 'strict: true\n' }))).toThrow(/has no metadata\.namespace/);
  });

  it('groups say what they are, and every document carries its group’s label beside the ownership labels', () => {
    const { groups, documents } = render(project());
    expect(groups.map((g) => [g.type, g.name, g.documents.length])).toEqual([
      ['infra', 'data', 5],
      ['service', 'web', 4],
    ]);
    expect(documents.map((d) => d.group)).toEqual([...Array(5).fill('infra'), ...Array(4).fill('service')]);
    for (const { object, group } of documents) {
      const labels = object.metadata!.labels as Record<string, string>;
      expect(labels[group === 'infra' ? LABEL_INFRA : LABEL_SERVICE]).toBe(group === 'infra' ? 'data' : 'web');
      expect(labels).not.toHaveProperty(group === 'infra' ? LABEL_SERVICE : LABEL_INFRA);
      expect(labels['app.kubernetes.io/managed-by']).toBe('codex-k8s');
    }
  });

  it('a template error in when: or tagTemplate names the field it is in', () => {
    // Left for the field's own rendering by the render of services.yaml, which prints the inner action as text.
    const broken = `'{{ "{{ .Nope.Deeper }}" }}'`;
    expect(() => render(project({ service: `    when: ${broken}\n` }))).toThrow(/services\[0\]\.when/);
    expect(() => render(project().replace('  - name: data\n', `  - name: data\n    when: ${broken}\n`))).toThrow(
      /infrastructure\[0\]\.when/,
    );
    expect(() =>
      render(project({ service: `    image:\n      repository: r\n      tagTemplate: ${broken}\n` })),
    ).toThrow(/services\[0\]\.image\.tagTemplate/);
  });

  it('dropKinds naming a kind of a custom resource that a document has is no warning', () => {
    writeFileSync(
      path.join(dir, 'crd.yaml'),
      'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
    );
    const yaml = project({ service: '    overlays:\n      dev:\n        dropKinds: [Widget]\n' }).replace(
      '      - path: web.yaml\n',
      '      - path: crd.yaml\n',
    );
    const { documents, warnings } = render(yaml);
    expect(documents.filter((d) => d.group === 'service').map((d) => d.object.kind)).toEqual(['ConfigMap']);
    expect(warnings.filter((w) => w.path?.includes('dropKinds'))).toEqual([]);
  });

  it('the whitespace error shows the reference as it would have been used, tag included', () => {
    expect(() => render(project({ service: '    image:\n      repository: "a b"\n      tagTemplate: "7"\n' }))).toThrow(
      'services.yaml: services[0].image: "a b:7" is not a valid image reference (it contains whitespace)',
    );
    expect(() => render(project({ service: '    image:\n      repository: "a b"\n' }))).toThrow(
      'services.yaml: services[0].image: "a b" is not a valid image reference (it contains whitespace)',
    );
  });
});
