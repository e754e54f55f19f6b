import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadStack } from '../config/load.js';
import { UserError } from '../util/errors.js';
import { loadManifest } from './manifests.js';

describe('loadManifest', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ck8s-manifest-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    path.join(dir, 'services.yaml'),
    'project: demo\nenvironments:\n  dev: {}\nservices:\n  - name: app\n    manifests:\n      - path: app.yaml\n',
  );
  mkdirSync(path.join(dir, 'adir'));
  const stack = loadStack({ config: 'services.yaml', cwd: dir, env: 'dev', processEnv: {} });
  const CM = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
  const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
  const failure = (manifest: string): UserError => {
    try {
      loadManifest(stack, manifest);
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      return err as UserError;
    }
    throw new Error('loadManifest succeeded');
  };

  it('renders the file as a template, drops empty documents and counts positions in the file as written', () => {
    write('docs.yaml', `---\n${CM('a')}---\n---\n# only a comment\n---\n${CM('{{ .Namespace }}')}`);
    const docs = loadManifest(stack, '  docs.yaml  ');
    expect(docs.map((d) => [d.object.metadata?.name, d.index])).toEqual([
      ['a', 1],
      ['demo-dev', 4],
    ]);
    expect(docs[0]!.file).toBe(path.relative(process.cwd(), path.join(dir, 'docs.yaml')));
  });

  it('a missing file or a directory is an error saying which and where the path is written', () => {
    expect(failure('nope.yaml').message).toMatch(
      /nope\.yaml: cannot read manifest \(file not found\); fix the path "nope\.yaml" in services\.yaml$/,
    );
    expect(failure('adir').message).toMatch(/adir: cannot read manifest \(is a directory\); fix the path "adir"/);
  });

  it('YAML that is invalid after templating is an error with its line, column and the line itself', () => {
    write('bad.yaml', `${CM('a')}data:\n  key: [unclosed\n`);
    const err = failure('bad.yaml');
    expect(err.message).toMatch(/^.*bad\.yaml:\d+:\d+: invalid YAML after templating: .*\n {2}\d+ \| /);
    expect(err.line).toBeGreaterThan(0);
  });

  it('an alias bomb is a user error naming the file, not an internal error', () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 10; i++)
      text += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    write('bomb.yaml', text);
    expect(failure('bomb.yaml').message).toMatch(/^.*bomb\.yaml: /);
  });

  it('a document that is a list or a plain value is an error naming its position', () => {
    write('list.yaml', `${CM('a')}---\n- a\n- b\n`);
    expect(failure('list.yaml').message).toMatch(/list\.yaml: document 2 is a list, expected a Kubernetes object/);
    write('plain.yaml', `just text\n---\n${CM('a')}`);
    expect(failure('plain.yaml').message).toMatch(/plain\.yaml: document 1 is a plain value, expected/);
  });

  it('another read error keeps the system’s reason; a path out of the project names the manifest as written', () => {
    write('plain.yaml', CM('p'));
    expect(failure('plain.yaml/inner.yaml').message).toMatch(
      /plain\.yaml\/inner\.yaml: cannot read manifest \(ENOTDIR: not a directory, .*\); fix the path "plain\.yaml\/inner\.yaml"/,
    );
    expect(failure('../outside.yaml').message).toMatch(/manifest "\.\.\/outside\.yaml"/);
  });
});
