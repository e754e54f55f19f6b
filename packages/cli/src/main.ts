import { isUserError } from '@codex-k8s/core/errors';

export interface Command {
  run(argv: string[]): Promise<number>;
  help: string;
}

/** Loads one command's module; the bundled CLI loads each from its own file (see cli.ts). */
export type CommandLoader = (name: string) => Promise<Command>;

export const COMMAND_NAMES = [
  'render',
  'config',
  'template',
  'validate',
  'apply',
  'destroy',
  'slots',
  'doctor',
  'plan',
  'prompt',
  'images',
] as const;

const USAGE = `codex-k8s: render, check and deploy a services.yaml stack

Usage: codex-k8s <command> [flags]   (codex-k8s <command> --help for its flags)

Commands:
  render     print the rendered stack of an environment as a YAML stream
  config     print the resolved configuration (--raw: services.yaml after templating)
  template   render a Go template file, or JSON-lines cases with --jsonl
  validate   check services.yaml and every environment's stack; exit 1 on errors
  apply      render, run hooks, apply server-side and wait (--dry-run: show what would change)
  destroy    delete an environment's namespace and its own cluster-scoped objects
  slots      list slot records, or release one (slots list | slots release N)
  doctor     check kubectl, cluster access and permissions
  plan       resolve the root plan issue of an issue (plan resolve-root --issue N --repo owner/name)
  prompt     print the agent's prompt and config (prompt render), or run the agent in its slot (prompt run)
  images     build or mirror the images of services.yaml (images build | images mirror)
`;

export async function main(argv: string[], loadCommand: CommandLoader): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 1;
  }
  if (!(COMMAND_NAMES as readonly string[]).includes(name)) {
    process.stderr.write(`error: unknown command "${name}"\n\n${USAGE}`);
    return 1;
  }
  const command = await loadCommand(name);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    process.cwd();
  } catch {
    // Removed under a shell still standing in it: every relative path would fail later with an internal error.
    process.stderr.write('error: the working directory no longer exists; run the command from a directory that does\n');
    return 1;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (isUserError(err)) {
      process.stderr.write(`error: ${(err as Error).message}\n`);
      return 1;
    }
    process.stderr.write(`internal error (please report it): ${(err as Error)?.stack ?? String(err)}\n`);
    return 2;
  }
}
