import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
import { compileCacheDir, requireWithCodeCache } from './code-cache.js';
import { main, type Command } from './main.js';

/*
 * A command on a typical stack runs for a few hundred milliseconds, too short for V8's optimising compilers to pay
 * back their work: on a render of the example stack they spent more CPU on background threads (~200 ms) than the
 * whole render needs without them. Ten times V8's tier-up thresholds keeps short runs in the interpreter and
 * baseline code; a large stack or a long-running command still reaches optimised code. The flag names changed in
 * V8 12 (Node 22); Node 20's V8 counts bytecode run instead of calls.
 */
const TIER_UP_FLAGS =
  Number(process.versions.v8.split('.')[0]) >= 12
    ? [
        '--invocation-count-for-maglev=4000',
        '--invocation-count-for-maglev-osr=1000',
        '--invocation-count-for-turbofan=30000',
        '--invocation-count-for-osr=5000',
      ]
    : ['--interrupt-budget=675840'];

/*
 * V8 checks a code cache's source length and flags but not its contents unless asked: a cache file damaged in
 * place (a disk or copy error that keeps its length) would otherwise crash every start with a segfault. The
 * checksum costs well under a millisecond on a bundle's cache.
 */
const CODE_CACHE_FLAGS = ['--verify-snapshot-checksum'];

/** Per command, the Node built-ins its bundle requires when it loads; written in by build.mjs. */
declare const COMMAND_BUILTINS: Record<string, string[]> | undefined;

/**
 * Output that cannot be written (a full disk, a closed pipe): one message and exit 1, not Node's stack trace for
 * an unhandled 'error' event. A reader that stopped early (`| head`) is no failure: the rest is not wanted.
 */
function reportOutputErrors(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`error: cannot write the output: ${err.message}\n`);
    process.exit(1);
  });
}

export function run(argv: string[]): Promise<number> {
  reportOutputErrors();
  // Before the flags: once they change, Node's code cache of its built-ins no longer matches (see build.mjs).
  const builtins = typeof COMMAND_BUILTINS === 'object' ? COMMAND_BUILTINS : {};
  const load = createRequire(__filename);
  for (const id of Object.hasOwn(builtins, argv[0] ?? '') ? builtins[argv[0]!]! : []) load(id);
  for (const flag of [...TIER_UP_FLAGS, ...CODE_CACHE_FLAGS]) v8.setFlagsFromString(flag);
  // A cache written after --help or a failed run would hold little of what a real run compiles.
  const helpOnly = argv.includes('--help') || argv.includes('-h');
  const cache = { dir: compileCacheDir(), worthKeeping: (code: number) => code === 0 && !helpOnly };
  return main(
    argv,
    async (name) => requireWithCodeCache(path.join(__dirname, 'commands', `${name}.cjs`), cache) as Command,
  );
}
