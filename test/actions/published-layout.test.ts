/**
 * `uses: codex-k8s/actions/<name>@v1` must resolve: the runner fetches the repository at the ref, reads
 * `<name>/action.yml` at its top and runs `runs.main` relative to it with `runs.using`. This lays out the published
 * tree the way the release workflow does, commits it and tags v1 in a local repository, checks out the tag, and runs
 * every action from there.
 */
import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/cli.js';
import { runAction } from '../support/action.js';
import { tempDir } from '../support/temp-dir.js';

/** The actions the README documents; each must be published, and nothing else as an action. */
const SEVEN = ['apply', 'cleanup', 'ensure-ready', 'ensure-slot', 'images-build', 'prompt-run', 'review-apply'];
const ACTIONS = readdirSync(path.join(REPO_ROOT, 'actions')).filter((n) =>
  existsSync(path.join(REPO_ROOT, 'actions', n, 'action.yml')),
);
/** What the published tree carries besides the actions, when the source tree has it. */
const EXTRAS = ['README.md', 'LICENSE', 'templates', 'docs', 'schema'];
const LAYOUT_SCRIPT = path.join(REPO_ROOT, '.github/scripts/publish-layout.mjs');
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@t',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@t',
    },
  }).toString();

/** Each action, started with too little input, must load, read its inputs and fail with its own message. */
const EXPECTED_FAILURE: Record<string, RegExp> = {
  'ensure-slot': /give an issue, a pr or a slot/,
  'ensure-ready': /give an issue, a pr or a slot/,
  cleanup: /say what to clean/,
  apply: /missing\.yaml: file not found/,
  'prompt-run': /works on an issue: pass issue/,
  'review-apply': /give the issue or the pr/,
  'images-build': /missing\.yaml: file not found/,
};

describe('published layout', () => {
  it('resolves and runs every action from a v1 tag, the way the runner does', () => {
    const published = tempDir('ck8s-published-');
    git(published, 'init', '-q', '-b', 'v1');
    const laidOut = execFileSync(process.execPath, [LAYOUT_SCRIPT, published]).toString().trim().split(' ');
    expect([...ACTIONS].sort()).toEqual(SEVEN);
    expect(laidOut.sort()).toEqual(SEVEN);
    git(published, 'add', '-A');
    git(published, 'commit', '-qm', 'publish');
    git(published, 'tag', 'v1.0.0');
    // What the runner downloads for `codex-k8s/actions/<name>@v1.0.0`.
    const checkout = tempDir('ck8s-uses-');
    git(checkout, '-c', 'advice.detachedHead=false', 'clone', '-q', '--branch', 'v1.0.0', published, '.');
    // At the top: the seven actions and the user-facing files, nothing of the sources (actions/, packages/, ...).
    const top = readdirSync(checkout).filter((n) => n !== '.git');
    const extras = EXTRAS.filter((n) => existsSync(path.join(REPO_ROOT, n)));
    expect(top.sort()).toEqual([...SEVEN, ...extras].sort());
    for (const name of SEVEN) expect(readdirSync(path.join(checkout, name)).sort()).toEqual(['action.yml', 'dist']);
    // The schema an editor fetches from the tag (README: .../v1/schema/services.schema.json) is the source's.
    const schema = 'schema/services.schema.json';
    if (existsSync(path.join(REPO_ROOT, schema))) {
      expect(readdirSync(path.join(checkout, 'schema'))).toEqual(['services.schema.json']);
      expect(readFileSync(path.join(checkout, schema), 'utf8')).toBe(
        readFileSync(path.join(REPO_ROOT, schema), 'utf8'),
      );
    }
    return Promise.all(
      ACTIONS.map(async (name) => {
        const meta = parse(readFileSync(path.join(checkout, name, 'action.yml'), 'utf8'));
        expect(meta.runs.using).toBe('node24');
        const main = path.join(checkout, name, meta.runs.main);
        expect(existsSync(main)).toBe(true);
        const inputs: Record<string, string> = {};
        for (const [input, spec] of Object.entries<any>(meta.inputs ?? {})) {
          expect(typeof spec.description).toBe('string');
          if (spec.default !== undefined && !String(spec.default).includes('${{')) inputs[input] = String(spec.default);
        }
        const res = await runAction(main, { ...inputs, config: 'missing.yaml' }, { cwd: checkout });
        expect(res.code).toBe(1);
        expect(res.errors.join('\n')).toMatch(EXPECTED_FAILURE[name]);
      }),
    );
  });

  it('stops the release when a directory under actions/ has no action.yml, naming it', () => {
    // The script finds the tree from its own place: a copy of it in a tree with one action and one broken one.
    const fake = tempDir('ck8s-layout-');
    mkdirSync(path.join(fake, '.github/scripts'), { recursive: true });
    cpSync(LAYOUT_SCRIPT, path.join(fake, '.github/scripts/publish-layout.mjs'));
    cpSync(path.join(REPO_ROOT, 'actions/apply/action.yml'), path.join(fake, 'actions/apply/action.yml'));
    cpSync(path.join(REPO_ROOT, 'actions/apply/dist'), path.join(fake, 'actions/apply/dist'), { recursive: true });
    mkdirSync(path.join(fake, 'actions/half-made/src'), { recursive: true });
    const out = path.join(fake, 'out');
    const res = spawnSync(process.execPath, [path.join(fake, '.github/scripts/publish-layout.mjs'), out], {
      encoding: 'utf8',
    });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/^actions\/half-made: no action\.yml/);
    expect(existsSync(path.join(out, 'apply'))).toBe(false);
  });

  it('documents every input and output an action reads or writes', () => {
    for (const name of ACTIONS) {
      const meta = parse(readFileSync(path.join(REPO_ROOT, 'actions', name, 'action.yml'), 'utf8'));
      const src = readFileSync(path.join(REPO_ROOT, 'actions', name, 'src', 'main.ts'), 'utf8');
      const read = [...src.matchAll(/(?:Input|getInput)\('([a-z-]+)'/g)].map((m) => m[1]);
      for (const input of read)
        expect([name, input, Object.keys(meta.inputs)]).toEqual([name, input, expect.arrayContaining([input])]);
      // The outputs are the keys of the setOutputs({...}) calls (other objects, such as the status comment's, are not).
      const calls = [...src.matchAll(/setOutputs\(\{([\s\S]*?)\}\)/g)].map((m) => m[1]);
      expect([name, calls.length > 0]).toEqual([name, true]);
      const written = calls.flatMap((c) => [...c.matchAll(/(?:^|[{,\s])'?([a-z][a-z-]*)'?\s*:/g)].map((m) => m[1]));
      expect([name, written.length > 0]).toEqual([name, true]);
      for (const output of written)
        expect([name, output, Object.keys(meta.outputs)]).toEqual([name, output, expect.arrayContaining([output])]);
    }
  });
});
