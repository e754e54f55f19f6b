/*
 * The agent's change, taken from the slot workspace as a binary git patch: everything git does not ignore that
 * differs from the commit the workspace was synced from (edits, new files, deletions, renames, file modes, binary
 * files), including what the agent committed itself. It is computed with a throw-away index, so the agent's own
 * staging is left as it was, and base64-encoded so that no byte of a file is changed on the way.
 */
import type { Kubectl } from '../kube/kubectl.js';
import type { ProcessRunner } from '../kube/runner.js';
import { UserError } from '../util/errors.js';
import type { AgentPod } from './agent-pod.js';
import { RUN_DIR } from './run-agent.js';

/**
 * `sh -c CHANGE_SCRIPT sh <workdir> <base|-> [<pathspec>...]`: prints `base <commit>` on the first line, then the
 * base64 of `git diff --binary --full-index -M <base>` over the whole tree (or the pathspecs given, from the
 * repository's top), the runner's own directories left out. `-` as base: the commit the last sync brought (`.git/codex-k8s-synced`), else HEAD.
 */
export const CHANGE_SCRIPT = `set -eu
cd -- "$1"
cd -- "$(git rev-parse --show-toplevel)"
base=$2
shift 2
if [ "$base" = - ]; then base=$(cat .git/codex-k8s-synced 2>/dev/null || git rev-parse HEAD); fi
git rev-parse --verify --quiet "$base^{commit}" > /dev/null || { echo "unknown base commit $base" >&2; exit 3; }
if [ "$#" -eq 0 ]; then set -- .; fi
index=$(mktemp)
trap 'rm -f -- "$index"' EXIT
export GIT_INDEX_FILE="$index"
git read-tree "$base"
git add -A -- "$@"
# The runner's own directories stay as they are in the base (a repository may track one of its own).
git reset -q "$base" -- ':(glob)**/${RUN_DIR}/**'
# A repository the agent cloned inside the work tree would become a gitlink to a commit nobody has: left out.
git ls-files -s | while read -r mode object stage path; do
  if [ "$mode" = 160000 ] && ! git cat-file -e "$base:$path" 2>/dev/null; then
    git update-index --force-remove -- "$path"
    echo "warning: $path is a git repository of its own (a nested clone), left out of the change" >&2
  fi
done
echo "base $base $(cat .git/codex-k8s-synced 2>/dev/null || echo -)"
git diff --cached --binary --full-index -M "$base" | base64
`;

export interface AgentChange {
  /** The commit the patch applies to. */
  base: string;
  /** The commit the workspace's last sync brought, when it says. */
  synced?: string;
  /** What the script left out, to tell the user (nested repositories). */
  warnings: string[];
  /** `git apply`-able binary patch; empty when nothing changed. */
  patch: Buffer;
}

export type ChangeSource =
  | { kind: 'pod'; kubectl: Kubectl; namespace: string; pod: AgentPod }
  | { kind: 'dir'; runner: ProcessRunner; dir: string };

/** Reads the change; `base` the commit to diff against (default: the one the workspace was synced from). */
export async function readAgentChange(
  source: ChangeSource,
  options: { base?: string; include?: readonly string[] } = {},
): Promise<AgentChange> {
  const args = [options.base ?? '-', ...(options.include ?? [])];
  let out: string;
  let stderr: string;
  let code: number;
  let where: string;
  if (source.kind === 'pod') {
    where = `${source.namespace}/${source.pod.name}:${source.pod.workdir}`;
    const res = await source.kubectl.exec(
      [
        'exec',
        '-n',
        source.namespace,
        source.pod.name,
        '-c',
        source.pod.container,
        '--',
        'sh',
        '-c',
        CHANGE_SCRIPT,
        'sh',
        source.pod.workdir,
        ...args,
      ],
      { timeoutMs: 300_000 },
    );
    ({ stdout: out, stderr, code } = res);
  } else {
    where = source.dir;
    const res = await source.runner.run('sh', ['-c', CHANGE_SCRIPT, 'sh', source.dir, ...args], { timeoutMs: 300_000 });
    ({ stdout: out, stderr, code } = res);
  }
  if (code !== 0 && /unknown base commit/.test(stderr) && options.base)
    throw new UserError(
      `the slot workspace (${where}) was not synced from ${options.base.slice(0, 12)}, the commit this job has checked ` +
        'out: run review-apply in the job that ran ensure-ready, on the same checkout',
    );
  if (code !== 0)
    throw new UserError(
      `could not read the agent's change in ${where}: ${stderr.trim().split('\n').slice(-2).join('; ') || `exit ${code}`}` +
        (/not a git repository/.test(stderr)
          ? ' (the workspace has no git: ensure-ready syncs a .git when its source is the top of a git checkout)'
          : ''),
    );
  const nl = out.indexOf('\n');
  const m = /^base ([0-9a-f]{40,64}) ([0-9a-f]{40,64}|-)$/.exec(out.slice(0, nl));
  if (!m) throw new UserError(`could not read the agent's change in ${where}: unexpected output`);
  const warnings = stderr
    .split('\n')
    .filter((l) => l.startsWith('warning: '))
    .map((l) => l.slice('warning: '.length));
  return {
    base: m[1],
    synced: m[2] === '-' ? undefined : m[2],
    patch: Buffer.from(out.slice(nl + 1).replace(/\s+/g, ''), 'base64'),
    warnings,
  };
}
