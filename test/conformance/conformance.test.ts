import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_COUNT, DEFAULT_SEED, generateCases } from './generator.js';
import {
  compare,
  ensureOracle,
  formatMismatches,
  loadCorpus,
  runOracle,
  summaryLine,
  type Case,
  type Comparison,
  type GoResult,
} from './harness.js';

/*
 * Our text/template engine against Go's own (test/go-oracle, run live: no expected outputs are stored).
 * Every case must render byte for byte like Go where Go succeeds, and must fail where Go fails.
 *
 * CONFORMANCE_SEED / CONFORMANCE_COUNT pick another random set; CONFORMANCE_MESSAGES=1 also lists the
 * cases where both fail but with different error messages (information only, never a failure).
 */
const SEED = Number(process.env.CONFORMANCE_SEED ?? DEFAULT_SEED);
const COUNT = Number(process.env.CONFORMANCE_COUNT ?? DEFAULT_COUNT);

const corpus = loadCorpus();
const random = generateCases(SEED, COUNT);
const all: Case[] = [...corpus.flatMap((f) => f.cases), ...random];
const goByCase = new Map<Case, GoResult>();
const results: { label: string; cmp: Comparison }[] = [];

function check(label: string, cases: readonly Case[]): void {
  const cmp = compare(
    cases,
    cases.map((c) => goByCase.get(c)!),
  );
  results.push({ label, cmp });
  if (cmp.mismatches.length) throw new Error(formatMismatches(label, cmp));
}

beforeAll(async () => {
  ensureOracle();
  const go = await runOracle(all);
  all.forEach((c, i) => goByCase.set(c, go[i]));
}, 300_000);

afterAll(() => {
  if (!results.length) return;
  const sum = (f: (c: Comparison) => number) => results.reduce((n, r) => n + f(r.cmp), 0);
  const lines = results.map((r) => '  ' + summaryLine(r.label, r.cmp));
  lines.push(
    `  TOTAL: ${sum((c) => c.total)} cases run, ${sum((c) => c.identical)} identical, ${sum((c) => c.mismatches.length)} mismatches, ` +
      `${sum((c) => c.goErrors)} Go errors (${sum((c) => c.sameErrorMessage)} with the same message)`,
  );
  if (process.env.CONFORMANCE_MESSAGES) {
    for (const r of results) {
      for (const d of r.cmp.messageDiffs)
        lines.push(`  message differs: ${d.c.name}\n    Go:   ${d.go}\n    ours: ${d.ours}`);
    }
  }
  process.stdout.write(`\nGo text/template conformance\n${lines.join('\n')}\n`);
});

describe('Go text/template conformance', () => {
  it('has a hand-written corpus of at least 300 uniquely named cases', () => {
    const names = corpus.flatMap((f) => f.cases.map((c) => c.name));
    expect(names.length).toBeGreaterThanOrEqual(300);
    expect(names.length - new Set(names).size).toBe(0);
  });

  for (const { file, cases } of corpus) {
    it(`corpus ${file} (${cases.length} cases)`, () => check(file, cases));
  }

  it(`${COUNT} random templates (seed ${SEED})`, () => {
    expect(random.length).toBeGreaterThanOrEqual(Math.min(COUNT, 1000));
    check(`random seed ${SEED}`, random);
  });
});
