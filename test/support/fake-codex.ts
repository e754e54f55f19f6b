import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureNamespace } from '../../packages/core/src/kube/apply.js';
import type { Kubectl } from '../../packages/core/src/kube/kubectl.js';
import type { Harness } from '../kube-server/harness.js';
import { agentDeployment } from './agent-deployment.js';

/**
 * A stand-in for the Codex CLI in the agent pod, for tests of the runner's mechanics (start, attach, follow,
 * deadline, stop): it prints `codex exec --json` events and picks its behaviour from the prompt (STALL, SLOW, FAIL,
 * NOCHANGE). The real CLI runs in test/actions/prompt-run.test.ts.
 */

/** A duration no other process on the machine sleeps for: finds what the stand-in left running. */
export const MARK = '3171';

export const FAKE_CODEX = `#!/bin/sh
prompt=$(cat)
echo "$*" >> "$CODEX_HOME/../calls.log"
echo '{"type":"thread.started","thread_id":"thread-42"}'
echo '{"type":"turn.started"}'
case "$prompt" in
  *STALL*)
    setsid sh -c 'sleep ${MARK}' </dev/null >/dev/null 2>&1 &
    sh -c 'sleep ${MARK}' &
    sleep ${MARK} ;;
  *SLOW*)
    for i in 1 2 3 4 5 6 7 8; do
      printf '{"type":"item.started","item":{"type":"command_execution","command":"step %s \\u00e9\\u00e9"}}\\n' "$i"
      sleep 0.5
    done ;;
  *FAIL*)
    echo "ERROR: the model said no" >&2
    exit 3 ;;
esac
case "$prompt" in *NOCHANGE*) ;; *) echo "edited by the agent" >> a.txt ;; esac
echo '{"type":"item.completed","item":{"type":"agent_message","text":"all done"}}'
echo '{"type":"turn.completed","usage":{"input_tokens":120,"output_tokens":30}}'
`;

/**
 * Namespace `ns` with the workspace PVC, the agent deployment `codex` (container `codex`, the PVC at /workspace by
 * subPath), a git repository in its workspace, and the stand-in codex at `codex` (also as `<binDir>/codex`).
 */
export async function prepareAgentPod(
  kubectl: Kubectl,
  h: Harness,
  NS: string,
): Promise<{ workspace: string; codex: string; binDir: string; calls: () => string[] }> {
  await ensureNamespace(kubectl, NS);
  await kubectl.run(['apply', '-f', '-'], {
    input: [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'workspace', namespace: NS },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
      agentDeployment(NS, { claim: 'workspace', subPath: 'slots/1/src' }, { command: ['sleep', 'infinity'] }),
    ]
      .map((d) => JSON.stringify(d))
      .join('\n---\n'),
  });
  const workspace = join(h.server.pvcDir(NS, 'workspace'), 'slots', '1', 'src');
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(workspace, 'a.txt'), 'original\n');
  const git = (...a: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', ...a], { cwd: workspace, stdio: 'pipe' });
  git('init', '-q');
  writeFileSync(join(workspace, '.git', 'info', 'exclude'), '/.codex-k8s/\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  const binDir = join(h.dir, 'bin');
  mkdirSync(binDir, { recursive: true });
  const codex = join(binDir, 'codex');
  writeFileSync(codex, FAKE_CODEX);
  chmodSync(codex, 0o755);
  const log = join(workspace, '.codex-k8s', 'calls.log');
  const calls = () => {
    try {
      return readFileSync(log, 'utf8').split('\n').filter(Boolean);
    } catch {
      return [];
    }
  };
  return { workspace, codex, binDir, calls };
}
