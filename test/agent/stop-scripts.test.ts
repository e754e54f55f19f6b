/**
 * The pod-side stop scripts run as a local sh: they never stop what is not the run's, whatever the run's files say
 * (the files live where the agent could write).
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KILL_TREE_SCRIPT, STOP_SCRIPT } from '../../packages/core/src/agent-run/scripts.js';
import { tempDir } from '../support/temp-dir.js';

const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.kill('SIGKILL');
});

/** An unrelated process that must survive. */
function bystander(): ChildProcess {
  const c = spawn('sleep', ['3179'], { stdio: 'ignore', detached: true });
  started.push(c);
  return c;
}
const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null && !!c.pid && isRunning(c.pid);
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
const startTime = (pid: number) =>
  readFileSync(`/proc/${pid}/stat`, 'utf8')
    .replace(/^.*\) /, '')
    .split(' ')[19];

describe('agent stop scripts', () => {
  it('KILL_TREE refuses a root that is not a process id above 1, and a bad run mark', () => {
    const other = bystander();
    for (const root of ['', '0', '1', '1 2', '-1', '$(id)'])
      for (const mark of ['run-1']) {
        const r = spawnSync('sh', ['-c', KILL_TREE_SCRIPT, 'codex-k8s-stop', root, mark], { encoding: 'utf8' });
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/refusing to stop process/);
      }
    const r = spawnSync('sh', ['-c', KILL_TREE_SCRIPT, 'codex-k8s-stop', String(other.pid), 'a b'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(alive(other)).toBe(true);
  });

  it("STOP of a run recorded by another container (another host) only marks it ended: that pid is not the run's", () => {
    const other = bystander();
    const tmp = tempDir('stop-script-');
    const run = join(tmp, 'codex-k8s', 'runs', 'r1');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'pid'), `${other.pid}\n`);
    writeFileSync(join(run, 'start'), `${startTime(other.pid!)}\n`);
    writeFileSync(join(run, 'host'), 'old-pod-abc\n');
    const r = spawnSync('sh', ['-c', STOP_SCRIPT, 'sh', 'r1', 'cancelled', '130', KILL_TREE_SCRIPT], {
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: tmp, HOSTNAME: 'new-pod-xyz' },
    });
    expect(r.status).toBe(0);
    expect(alive(other)).toBe(true);
    expect(readFileSync(join(run, 'exit'), 'utf8').trim()).toBe('130');
    expect(readFileSync(join(run, 'killed'), 'utf8').trim()).toBe('cancelled');
  });

  it('STOP with a pid whose start time differs (a reused pid) leaves that process alone', () => {
    const other = bystander();
    const tmp = tempDir('stop-script-');
    const run = join(tmp, 'codex-k8s', 'runs', 'r2');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'pid'), `${other.pid}\n`);
    writeFileSync(join(run, 'start'), '1\n');
    writeFileSync(join(run, 'host'), 'pod-a\n');
    const r = spawnSync('sh', ['-c', STOP_SCRIPT, 'sh', 'r2', 'deadline', '124', KILL_TREE_SCRIPT], {
      encoding: 'utf8',
      env: { ...process.env, TMPDIR: tmp, HOSTNAME: 'pod-a' },
    });
    expect(r.status).toBe(0);
    expect(alive(other)).toBe(true);
    expect(readFileSync(join(run, 'exit'), 'utf8').trim()).toBe('124');
  });
});
