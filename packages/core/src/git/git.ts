/*
 * git as a child process, in one working directory. Arguments are never parsed by a shell; a token, when a call
 * needs one, reaches git through environment variables only (GIT_CONFIG_COUNT/KEY/VALUE), never argv or a config
 * file, so it is neither in `ps` nor left in `.git/config`.
 */
import type { ProcessRunner, RunResult } from '../kube/runner.js';
import { UserError } from '../util/errors.js';

export interface GitCall {
  input?: string;
  env?: Record<string, string>;
  /** Return the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
  timeoutMs?: number;
  /** Aborting kills the call (it then fails as cancelled). */
  signal?: AbortSignal;
}

export class GitError extends UserError {}

export class Git {
  constructor(
    private readonly runner: ProcessRunner,
    readonly cwd: string,
    private readonly binary = 'git',
    private readonly baseEnv: Record<string, string> = {},
  ) {}

  /** The same repository seen from another directory (a worktree). */
  at(cwd: string): Git {
    return new Git(this.runner, cwd, this.binary, this.baseEnv);
  }

  /** The same directory, with extra environment on every call (identity, credentials). */
  withEnv(env: Record<string, string>): Git {
    return new Git(this.runner, this.cwd, this.binary, { ...this.baseEnv, ...env });
  }

  async exec(args: readonly string[], call: GitCall = {}): Promise<RunResult> {
    const res = await this.runner.run(this.binary, args, {
      cwd: this.cwd,
      input: call.input,
      timeoutMs: call.timeoutMs ?? 300_000,
      signal: call.signal,
      env: { GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...this.baseEnv, ...call.env },
    });
    if (!call.allowFailure && (res.code !== 0 || res.timedOut || res.aborted)) {
      const why = res.timedOut
        ? 'timed out'
        : res.aborted
          ? 'was cancelled'
          : res.stderr.trim().split('\n').slice(-3).join('; ') || `exit ${res.code}`;
      throw new GitError(`git ${commandOf(args)} in ${this.cwd} failed: ${why}`);
    }
    return res;
  }

  async run(args: readonly string[], call: GitCall = {}): Promise<string> {
    return (await this.exec(args, call)).stdout;
  }

  /** The id of a revision, or undefined when it does not resolve. */
  async revParse(rev: string): Promise<string | undefined> {
    const res = await this.exec(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], { allowFailure: true });
    return res.code === 0 ? res.stdout.trim() : undefined;
  }

  async isAncestor(ancestor: string, of: string): Promise<boolean> {
    return (await this.exec(['merge-base', '--is-ancestor', ancestor, of], { allowFailure: true })).code === 0;
  }
}

/** The subcommand and its first arguments, without `-c name=value` settings (which may hold an identity). */
function commandOf(args: readonly string[]): string {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c') i++;
    else rest.push(args[i]);
  }
  return rest.slice(0, 3).join(' ');
}

/**
 * Environment that gives `token` to git's HTTPS requests for `serverUrl` as an Authorization header. An empty
 * value first resets any extraheader already configured for that URL (actions/checkout persists its own token
 * there), so ours is the only one sent.
 */
export function tokenEnv(token: string, serverUrl: string): Record<string, string> {
  const url = `${serverUrl.replace(/\/+$/, '')}/`;
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: `http.${url}.extraheader`,
    GIT_CONFIG_VALUE_0: '',
    GIT_CONFIG_KEY_1: `http.${url}.extraheader`,
    GIT_CONFIG_VALUE_1: `AUTHORIZATION: basic ${basic}`,
  };
}
