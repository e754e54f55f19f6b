/**
 * The generated docs (schema/services.schema.json, docs/services-yaml.md, the action tables of README.md) match
 * their sources, and `--check` names each file that does not. The generator runs as `npm run docs:check` does (a
 * child process through tsx), against this repository read-only and against copies in temp dirs.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { stackConfigSchema } from '../../packages/core/src/config/schema.js';
import {
  ACTIONS_END,
  ACTIONS_START,
  README_FILE,
  REFERENCE_FILE,
  REPO_ROOT,
  SCHEMA_FILE,
  fieldSections,
  generate,
  readModel,
  renderReference,
  spliceReadme,
} from '../../scripts/generate-docs.js';
import { tempDir } from '../support/temp-dir.js';

const TSX = path.join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const SCRIPT = path.join(REPO_ROOT, 'scripts', 'generate-docs.ts');

function runGenerator(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, [TSX, SCRIPT, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** A copy of what the generator reads and writes: README.md, the generated files, actions/<name>/action.yml. */
function copyOfRepo(): string {
  const root = tempDir('docs-copy-');
  for (const file of [README_FILE, SCHEMA_FILE, REFERENCE_FILE]) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    cpSync(path.join(REPO_ROOT, file), path.join(root, file));
  }
  for (const name of readdirSync(path.join(REPO_ROOT, 'actions'))) {
    const file = path.join('actions', name, 'action.yml');
    mkdirSync(path.join(root, 'actions', name), { recursive: true });
    cpSync(path.join(REPO_ROOT, file), path.join(root, file));
  }
  return root;
}

const edit = (root: string, file: string, from: string, to: string) => {
  const full = path.join(root, file);
  const text = readFileSync(full, 'utf8');
  expect(text).toContain(from);
  writeFileSync(full, text.replace(from, to));
};

describe('docs --check', () => {
  it('passes on the committed files', () => {
    const res = runGenerator('--check');
    expect(res.stderr).toBe('');
    expect(res.stdout).toMatch(/up to date/);
    expect(res.code).toBe(0);
  });

  it('names README.md when an action.yml description changed, and a run brings it up to date', () => {
    const root = copyOfRepo();
    expect(runGenerator('--check', '--root', root).code).toBe(0);
    edit(
      root,
      'actions/apply/action.yml',
      'description: Path of services.yaml',
      'description: Where services.yaml lives (changed)',
    );

    const check = runGenerator('--check', '--root', root);
    expect(check.code).toBe(1);
    expect(check.stderr).toMatch(/^README\.md: out of date with its sources; run npm run docs/m);
    expect(check.stderr).not.toMatch(/services-yaml\.md|services\.schema\.json/);

    const write = runGenerator('--root', root);
    expect(write.code).toBe(0);
    expect(write.stdout.trim()).toBe('wrote README.md');
    const readme = readFileSync(path.join(root, README_FILE), 'utf8');
    expect(readme).toContain('Where services.yaml lives (changed)');
    // Only the block between the markers is generated: the rest of README.md is as it was.
    const outside = (text: string) =>
      text.slice(0, text.indexOf(ACTIONS_START)) + text.slice(text.indexOf(ACTIONS_END));
    expect(outside(readme)).toBe(outside(readFileSync(path.join(REPO_ROOT, README_FILE), 'utf8')));
    expect(runGenerator('--check', '--root', root).code).toBe(0);
  });

  it('names each generated file that was edited by hand or is missing', () => {
    const root = copyOfRepo();
    edit(root, REFERENCE_FILE, 'Mount read-only.', 'Mount it read-only.');
    edit(root, SCHEMA_FILE, '"title": "services.yaml"', '"title": "services"');
    const both = runGenerator('--check', '--root', root);
    expect(both.code).toBe(1);
    expect(both.stderr.trim().split('\n')).toEqual([
      `${SCHEMA_FILE}: out of date with its sources; run npm run docs and commit the result`,
      `${REFERENCE_FILE}: out of date with its sources; run npm run docs and commit the result`,
    ]);

    rmSync(path.join(root, REFERENCE_FILE));
    expect(runGenerator('--check', '--root', root).stderr).toContain(`${REFERENCE_FILE}: out of date`);
    expect(runGenerator('--root', root).code).toBe(0);
    expect(readFileSync(path.join(root, REFERENCE_FILE), 'utf8')).toBe(
      readFileSync(path.join(REPO_ROOT, REFERENCE_FILE), 'utf8'),
    );
  });

  it('fails naming the markers when README.md has lost them', () => {
    const root = copyOfRepo();
    edit(root, README_FILE, ACTIONS_END, '');
    const res = runGenerator('--check', '--root', root);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`README.md: needs the lines ${ACTIONS_START} and ${ACTIONS_END}`);
  });

  it('refuses an unknown argument', () => {
    const res = runGenerator('--chek');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('unknown argument "--chek"');
  });
});

describe('generated from the model', () => {
  it('what the generator makes is what is committed', async () => {
    const files = await generate(REPO_ROOT);
    expect([...files.keys()].sort()).toEqual([README_FILE, REFERENCE_FILE, SCHEMA_FILE].sort());
    for (const [file, content] of files) expect(readFileSync(path.join(REPO_ROOT, file), 'utf8')).toBe(content);
  });

  it('a description changed in the zod model changes the reference', () => {
    const changed = stackConfigSchema().extend({
      maxSlots: stackConfigSchema().shape.maxSlots.describe('A changed description of maxSlots.'),
    });
    const committed = readFileSync(path.join(REPO_ROOT, REFERENCE_FILE), 'utf8');
    const fresh = renderReference(fieldSections(readModel(changed)));
    expect(fresh).not.toBe(committed);
    expect(fresh).toContain('| `maxSlots` | integer |  |  | A changed description of maxSlots. |');
    expect(renderReference(fieldSections(readModel(stackConfigSchema())))).toBe(committed);
  });

  it('a zod construct the generator does not know is an error naming where it is', () => {
    const odd = z.strictObject({ services: z.array(z.strictObject({ name: z.string(), port: z.number() })) });
    expect(() => readModel(odd)).toThrow(
      '(root).services[].port: the docs generator does not know the zod construct "number"',
    );
  });

  it('splices only between the markers', () => {
    const readme = `intro\n${ACTIONS_START}\nold\n${ACTIONS_END}\noutro\n`;
    expect(spliceReadme(readme, `${ACTIONS_START}\nnew\n${ACTIONS_END}`)).toBe(
      `intro\n${ACTIONS_START}\nnew\n${ACTIONS_END}\noutro\n`,
    );
    expect(() => spliceReadme(`${ACTIONS_START}\n${ACTIONS_START}\n${ACTIONS_END}`, '')).toThrow(/once each/);
  });
});
