/**
 * Conformance harness: runs template cases through Go's text/template (the oracle program in
 * test/go-oracle, one process for a whole batch) and through our engine in-process, and compares them.
 *
 * Pass criterion per case: where Go succeeds, our output must be identical byte for byte; where Go fails,
 * we must throw a TemplateError (any message). Error messages are compared too, for information only.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  fromJSON,
  goStringToBuffer,
  parseTemplate,
  predecessorFuncs,
  TemplateError,
} from '../../packages/core/src/template/index.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CASES_DIR = path.join(REPO_ROOT, 'test/conformance/cases');
export const ORACLE_SRC = path.join(REPO_ROOT, 'test/go-oracle');
export const ORACLE_BIN = path.join(REPO_ROOT, '.tools/bin/go-template-oracle');
/** What `now` returns on both sides. */
export const FIXED_NOW = new Date(Date.UTC(2026, 1, 6, 10, 0, 0));

export interface Case {
  name: string;
  tmpl: string;
  data?: unknown;
  env?: Record<string, string>;
}

export interface GoResult {
  name: string;
  ok: boolean;
  out: string;
  error: string;
  /** The exact output bytes, present only when they are not valid UTF-8 (JSON cannot carry them). */
  outBase64?: string;
}

export type OurResult =
  { ok: true; out: string } | { ok: false; error: string; goMessage?: string; templateError: boolean; stack?: string };

export interface Mismatch {
  c: Case;
  go: GoResult;
  ours: OurResult;
  kind: 'output differs' | 'we failed, Go succeeded' | 'we succeeded, Go failed' | 'we threw a non-TemplateError';
}

export interface Comparison {
  total: number;
  identical: number;
  goErrors: number;
  /** Go errors where our message (Go's wording, goMessage) is the same text: information only. */
  sameErrorMessage: number;
  mismatches: Mismatch[];
  /** Both failed but with different messages: information only. */
  messageDiffs: { c: Case; go: string; ours: string }[];
}

export function loadCorpus(): { file: string; cases: Case[] }[] {
  return readdirSync(CASES_DIR)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((file) => ({
      file,
      cases: readFileSync(path.join(CASES_DIR, file), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line, i) => {
          try {
            return JSON.parse(line) as Case;
          } catch (err) {
            throw new Error(`${file}:${i + 1}: not JSON: ${(err as Error).message}`);
          }
        }),
    }));
}

function newestMtime(dir: string): number {
  return Math.max(...readdirSync(dir).map((f) => statSync(path.join(dir, f)).mtimeMs));
}

/** Builds the oracle with the repo's tool installer when it is missing or older than its source. */
export function ensureOracle(): void {
  if (existsSync(ORACLE_BIN) && statSync(ORACLE_BIN).mtimeMs >= newestMtime(ORACLE_SRC)) return;
  const r = spawnSync('bash', [path.join(REPO_ROOT, 'test/setup/install-tools.sh')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0 || !existsSync(ORACLE_BIN)) {
    throw new Error(`building the Go oracle failed (bash test/setup/install-tools.sh):\n${r.stdout}\n${r.stderr}`);
  }
}

/** Runs all cases through one oracle process; results come back in input order. */
export function runOracle(cases: readonly Case[]): Promise<GoResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(ORACLE_BIN, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) return reject(new Error(`go-template-oracle exited with ${code}: ${stderr}`));
      const lines = Buffer.concat(out)
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '');
      const results = lines.map((l) => JSON.parse(l) as GoResult);
      if (results.length !== cases.length) {
        return reject(new Error(`go-template-oracle answered ${results.length} of ${cases.length} cases: ${stderr}`));
      }
      results.forEach((r, i) => {
        if (r.name !== cases[i].name)
          reject(new Error(`oracle result ${i} is "${r.name}", expected "${cases[i].name}"`));
      });
      resolve(results);
    });
    child.stdin.on('error', reject);
    child.stdin.end(
      cases
        .map((c) => JSON.stringify({ name: c.name, tmpl: c.tmpl, data: c.data ?? {}, env: c.env ?? {} }))
        .join('\n') + '\n',
    );
  });
}

/** Runs one case through our engine, the way the CLI's `template --jsonl` does. */
export function runOurs(c: Case): OurResult {
  try {
    const funcs = predecessorFuncs({ envMap: c.env ?? {}, now: new Date(FIXED_NOW.getTime()) });
    const out = parseTemplate(c.name, c.tmpl, { funcs }).execute(fromJSON(c.data ?? {}));
    return { ok: true, out };
  } catch (err) {
    if (err instanceof TemplateError)
      return { ok: false, error: err.message, goMessage: err.goMessage, templateError: true };
    const e = err as Error;
    return {
      ok: false,
      error: `${e?.name ?? 'throw'}: ${e?.message ?? String(err)}`,
      templateError: false,
      stack: e?.stack,
    };
  }
}

/** Go's exact output bytes. */
export function goBytes(r: GoResult): Buffer {
  return r.outBase64 !== undefined ? Buffer.from(r.outBase64, 'base64') : Buffer.from(r.out, 'utf8');
}

export function compare(cases: readonly Case[], goResults: readonly GoResult[]): Comparison {
  const cmp: Comparison = {
    total: cases.length,
    identical: 0,
    goErrors: 0,
    sameErrorMessage: 0,
    mismatches: [],
    messageDiffs: [],
  };
  cases.forEach((c, i) => {
    const go = goResults[i];
    const ours = runOurs(c);
    if (go.ok) {
      if (!ours.ok) {
        cmp.mismatches.push({
          c,
          go,
          ours,
          kind: ours.templateError ? 'we failed, Go succeeded' : 'we threw a non-TemplateError',
        });
      } else if (!goStringToBuffer(ours.out).equals(goBytes(go))) {
        cmp.mismatches.push({ c, go, ours, kind: 'output differs' });
      } else {
        cmp.identical++;
      }
      return;
    }
    cmp.goErrors++;
    if (ours.ok) {
      cmp.mismatches.push({ c, go, ours, kind: 'we succeeded, Go failed' });
    } else if (!ours.templateError) {
      cmp.mismatches.push({ c, go, ours, kind: 'we threw a non-TemplateError' });
    } else {
      cmp.identical++;
      if (ours.goMessage === go.error) cmp.sameErrorMessage++;
      else cmp.messageDiffs.push({ c, go: go.error, ours: ours.goMessage ?? ours.error });
    }
  });
  return cmp;
}

const show = (s: string, max = 600): string => {
  const j = JSON.stringify(s);
  return j.length > max ? j.slice(0, max) + `… (${s.length} chars)` : j;
};

export function formatMismatch(m: Mismatch): string {
  const go = m.go.ok
    ? `Go output:   ${show(m.go.outBase64 !== undefined ? goBytes(m.go).toString('latin1') + ' [latin1 view of non-UTF-8 bytes, base64 ' + m.go.outBase64 + ']' : m.go.out)}`
    : `Go error:    ${m.go.error}`;
  const ours = m.ours.ok ? `our output:  ${show(m.ours.out)}` : `our error:   ${m.ours.error}`;
  return [
    `- ${m.c.name} (${m.kind})`,
    `  template:    ${show(m.c.tmpl)}`,
    `  data:        ${show(JSON.stringify(m.c.data ?? {}), 300)}${m.c.env && Object.keys(m.c.env).length ? `  env: ${JSON.stringify(m.c.env)}` : ''}`,
    `  ${go}`,
    `  ${ours}`,
  ].join('\n');
}

export function formatMismatches(label: string, cmp: Comparison, limit = 20): string {
  const head = `${label}: ${cmp.mismatches.length} of ${cmp.total} cases differ from Go (first ${Math.min(limit, cmp.mismatches.length)}):`;
  return [head, ...cmp.mismatches.slice(0, limit).map(formatMismatch)].join('\n');
}

export function summaryLine(label: string, cmp: Comparison): string {
  return (
    `${label}: ${cmp.total} cases, ${cmp.identical} identical, ${cmp.mismatches.length} mismatches, ` +
    `${cmp.goErrors} Go errors (${cmp.sameErrorMessage} with the same message)`
  );
}
