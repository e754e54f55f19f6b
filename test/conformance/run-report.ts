/**
 * Conformance report outside jest, for exploring: the corpus and/or random sets of any seeds.
 *
 *   npx tsx test/conformance/run-report.ts                       corpus + the default random set
 *   npx tsx test/conformance/run-report.ts --seeds 1-20 --count 2000 --no-corpus
 *   npx tsx test/conformance/run-report.ts --messages            also list differing error messages
 *   npx tsx test/conformance/run-report.ts --all                 list every mismatch, not the first 20
 */
import { DEFAULT_COUNT, DEFAULT_SEED, generateCases } from './generator.js';
import { compare, ensureOracle, formatMismatches, loadCorpus, runOracle, summaryLine, type Case } from './harness.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function seedList(spec: string | undefined): number[] {
  if (!spec) return [DEFAULT_SEED];
  return spec.split(',').flatMap((part) => {
    const m = /^(\d+)-(\d+)$/.exec(part);
    if (!m) return [Number(part)];
    return Array.from({ length: Number(m[2]) - Number(m[1]) + 1 }, (_, i) => Number(m[1]) + i);
  });
}

async function main(): Promise<number> {
  ensureOracle();
  const count = Number(option('--count') ?? DEFAULT_COUNT);
  const sets: { label: string; cases: Case[] }[] = [];
  if (!process.argv.includes('--no-corpus')) {
    for (const { file, cases } of loadCorpus()) sets.push({ label: file, cases });
  }
  for (const seed of seedList(option('--seeds')))
    sets.push({ label: `random seed ${seed}`, cases: generateCases(seed, count) });
  const all = sets.flatMap((s) => s.cases);
  const go = await runOracle(all);
  let offset = 0;
  let mismatches = 0;
  for (const s of sets) {
    const cmp = compare(s.cases, go.slice(offset, offset + s.cases.length));
    offset += s.cases.length;
    mismatches += cmp.mismatches.length;
    process.stdout.write(summaryLine(s.label, cmp) + '\n');
    if (cmp.mismatches.length) {
      process.stdout.write(formatMismatches(s.label, cmp, process.argv.includes('--all') ? Infinity : 20) + '\n');
    }
    if (process.argv.includes('--messages')) {
      for (const d of cmp.messageDiffs)
        process.stdout.write(`  message differs: ${d.c.name}\n    Go:   ${d.go}\n    ours: ${d.ours}\n`);
    }
  }
  process.stdout.write(`${all.length} cases, ${mismatches} mismatches\n`);
  return mismatches ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(String(err?.stack ?? err) + '\n');
    process.exit(2);
  },
);
