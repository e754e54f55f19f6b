/*
 * Runs hook steps in order. Per step:
 * - `when` is rendered at use time and read with the single truth rule (blank = true; false/0/no/off = false);
 * - `run:` (a template, rendered, trimmed; blank = nothing to do) runs as `bash -c <text>` in the project root, in
 *   its own process group, with the context as environment variables (env.ts);
 * - else `use:` runs a built-in (builtins.ts); an unknown name is an error naming the step;
 * - `timeout` (Go duration) bounds the step, default 30 minutes so nothing hangs a job forever; when it fires the
 *   whole process group is killed and the error names the step and the timeout;
 * - a failure stops the run with a HookError, unless the step has `continueOnError` (then it is a warning).
 */
import type { HookStep } from '../config/schema.js';
import { isWhenTrue } from '../config/when.js';
import { formatDuration, parseTimeout } from '../kube/duration.js';
import type { Kubectl } from '../kube/kubectl.js';
import { ChildProcessRunner, type ProcessRunner } from '../kube/runner.js';
import type { StackFilters } from '../render/filters.js';
import { BUILTIN_STEPS } from './builtins.js';
import type { BuiltinContext, BuiltinStep } from './context.js';
import { hookEnvironment } from './env.js';
import { findItem, itemPath, selectHookItems } from './select.js';
import {
  HookError,
  StepFailure,
  describeStep,
  type GlobalHookPoint,
  type HookItem,
  type HookPoint,
  type HookRecorder,
  type HookStack,
  type HookStepInfo,
  type ItemHookPoint,
  type StepResult,
} from './types.js';
import { UserError } from '../util/errors.js';
import type { Logger } from '../util/reporter.js';

export const DEFAULT_STEP_TIMEOUT_MS = 30 * 60_000;

export interface HookRunnerOptions {
  stack: HookStack;
  /** The kubectl of the run: for `use:` steps, and its kubeconfig and directory reach `run:` steps. */
  kubectl?: Kubectl;
  /** Runs `bash` (default: a real child process). */
  runner?: ProcessRunner;
  /** Items whose hooks run (default: enabled and selected by `filters`). */
  items?: readonly HookItem[];
  filters?: StackFilters;
  /** The process environment: the base of `run:` environments and the only source of secrets. */
  processEnv?: Record<string, string | undefined>;
  recorder?: HookRecorder;
  /** Where `run:` output goes (default: this process's stdout/stderr). */
  output?: { stdout?: (chunk: string) => void; stderr?: (chunk: string) => void };
  log?: Partial<Logger>;
  /** Shell for `run:` (default `bash`). */
  shell?: string;
  /** Limit of a step without `timeout` (default 30 minutes). */
  defaultTimeoutMs?: number;
  /** Told about each secret a built-in reads (core.setSecret). */
  maskSecret?: (value: string) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Extra or replacement built-ins (tests; project-specific steps). */
  builtins?: Record<string, BuiltinStep>;
  tlsSecretPoll?: { attempts: number; intervalMs: number };
}

const abortableSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

function stepName(step: HookStep): string {
  if (step.name?.trim()) return step.name.trim();
  const run = step.run?.trim();
  if (run) {
    const first = run.split('\n')[0];
    return first.length > 40 ? `${first.slice(0, 40)}…` : first;
  }
  return step.use?.trim() || '(empty step)';
}

function stepAction(step: HookStep): string {
  if (step.run?.trim()) return 'run';
  if (step.use?.trim()) return `use: ${step.use.trim()}`;
  return 'none';
}

/** The last lines of a failed script's stderr: enough to tell why without scrolling the log. */
function tail(text: string, lines = 10): string {
  const all = text.trimEnd().split('\n');
  return all.slice(-lines).join('\n');
}

export class HookRunner {
  readonly items: readonly HookItem[];
  private readonly log: Logger;
  private readonly runner: ProcessRunner;
  private readonly processEnv: Record<string, string | undefined>;
  private readonly builtins: Record<string, BuiltinStep>;

  constructor(private readonly options: HookRunnerOptions) {
    this.items = options.items ?? selectHookItems(options.stack, options.filters);
    this.runner = options.runner ?? new ChildProcessRunner();
    this.processEnv = options.processEnv ?? process.env;
    this.builtins = { ...BUILTIN_STEPS, ...options.builtins };
    const noop = () => undefined;
    this.log = {
      info: options.log?.info ?? noop,
      warning: options.log?.warning ?? noop,
      debug: options.log?.debug ?? noop,
    };
  }

  /** Steps of a root list (`hooks.beforeAll`, ...). */
  globalSteps(point: GlobalHookPoint): HookStep[] {
    return this.options.stack.config.hooks?.[point] ?? [];
  }

  /** Steps of an item's list; none for items that are not enabled and selected. */
  itemSteps(point: ItemHookPoint, item: HookItem): HookStep[] {
    if (!this.items.some((i) => i.type === item.type && i.name === item.name)) return [];
    return findItem(this.options.stack, item)?.hooks?.[point] ?? [];
  }

  /** Whether any step would be considered at this point (before `when` is evaluated). */
  hasSteps(point: HookPoint, scope: 'global' | 'items' | 'all' = 'all'): boolean {
    const global = scope !== 'items' && isGlobal(point) && this.globalSteps(point).length > 0;
    const items =
      scope !== 'global' && isItemPoint(point) && this.items.some((i) => this.itemSteps(point, i).length > 0);
    return global || items;
  }

  async runGlobal(point: GlobalHookPoint): Promise<StepResult[]> {
    return this.runList(this.globalSteps(point), point, undefined, `hooks.${point}`);
  }

  async runItem(point: ItemHookPoint, item: HookItem): Promise<StepResult[]> {
    const found = findItem(this.options.stack, item);
    if (!found) throw new UserError(`hooks: no ${item.type} named "${item.name}" in services.yaml`);
    return this.runList(this.itemSteps(point, item), point, item, itemPath(item, found.index, point));
  }

  /** The point's steps of every selected item: infra items first, then services, each in file order. */
  async runItems(point: ItemHookPoint, type?: HookItem['type']): Promise<StepResult[]> {
    const results: StepResult[] = [];
    const order = [...this.items.filter((i) => i.type === 'infra'), ...this.items.filter((i) => i.type === 'service')];
    for (const item of order) {
      if (type && item.type !== type) continue;
      results.push(...(await this.runItem(point, item)));
    }
    return results;
  }

  private async runList(
    steps: readonly HookStep[],
    point: HookPoint,
    item: HookItem | undefined,
    base: string,
  ): Promise<StepResult[]> {
    const results: StepResult[] = [];
    for (let index = 0; index < steps.length; index++) {
      const step = steps[index];
      const info: HookStepInfo = {
        point,
        item,
        index,
        path: `${base}[${index}]`,
        name: stepName(step),
        action: stepAction(step),
      };
      results.push(await this.runStep(step, info));
    }
    return results;
  }

  private async runStep(step: HookStep, info: HookStepInfo): Promise<StepResult> {
    const started = Date.now();
    const rec = this.options.recorder;
    rec?.({ type: 'step-start', step: info });
    const finish = (r: Omit<StepResult, 'step' | 'durationMs'>): StepResult => {
      const result: StepResult = { step: info, durationMs: Date.now() - started, ...r };
      rec?.({ type: 'step-end', ...result });
      return result;
    };
    try {
      if (step.when !== undefined && !isWhenTrue(this.options.stack.renderField(`${info.path}.when`, step.when))) {
        this.log.debug(`${describeStep(info)}: skipped (when is false)`);
        return finish({ outcome: 'skipped', skipReason: 'when' });
      }
      const timeoutText = step.timeout?.trim();
      const timeoutMs = timeoutText
        ? parseTimeout(timeoutText, `${info.path}.timeout`)
        : (this.options.defaultTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS);
      const timeoutLabel = timeoutText
        ? `its timeout ${timeoutText}`
        : `the default step timeout ${formatDuration(timeoutMs)}`;
      const did = await this.dispatch(step, info, timeoutMs, timeoutLabel);
      if (!did) return finish({ outcome: 'skipped', skipReason: 'empty' });
      return finish({ outcome: 'ok' });
    } catch (err) {
      const timedOut = err instanceof StepFailure && err.timedOut;
      const reason = (err as Error).message;
      if (step.continueOnError) {
        this.log.warning(`${describeStep(info)} ${timedOut ? 'timed out' : 'failed'} (continueOnError): ${reason}`);
        return finish({ outcome: 'continued', error: reason, timedOut });
      }
      finish({ outcome: 'failed', error: reason, timedOut });
      throw new HookError(info, reason, timedOut);
    }
  }

  /** Runs the step; false when it had nothing to do. */
  private async dispatch(
    step: HookStep,
    info: HookStepInfo,
    timeoutMs: number,
    timeoutLabel: string,
  ): Promise<boolean> {
    const stack = this.options.stack;
    if (step.run?.trim()) {
      const script = stack.renderField(`${info.path}.run`, step.run).trim();
      if (!script) return false;
      this.log.info(`${describeStep(info)}: run`);
      this.log.debug(`${info.path}.run:\n${script}`);
      await this.runScript(script, info, timeoutMs, timeoutLabel);
      return true;
    }
    const use = step.use?.trim();
    if (!use) return false;
    const impl = Object.hasOwn(this.builtins, use) ? this.builtins[use] : undefined;
    if (!impl)
      throw new StepFailure(`unknown use: "${use}" (built-in steps: ${Object.keys(this.builtins).sort().join(', ')})`);
    this.log.info(`${describeStep(info)}: use ${use}`);
    await this.runBuiltin(impl, step, info, timeoutMs, timeoutLabel);
    return true;
  }

  private async runScript(script: string, info: HookStepInfo, timeoutMs: number, timeoutLabel: string): Promise<void> {
    const out = this.options.output;
    const env = hookEnvironment(this.options.stack, {
      kubectl: this.options.kubectl,
      processEnv: this.processEnv,
      point: info.point,
      item: info.item,
    });
    const res = await this.runner.run(this.options.shell ?? 'bash', ['-c', script], {
      cwd: this.options.stack.projectRoot,
      env,
      timeoutMs,
      killTree: true,
      onStdout: out?.stdout ?? ((c) => process.stdout.write(c)),
      onStderr: out?.stderr ?? ((c) => process.stderr.write(c)),
    });
    if (res.timedOut) throw new StepFailure(`killed after ${formatDuration(timeoutMs)} (${timeoutLabel})`, true);
    if (res.code !== 0) {
      const detail = tail(res.stderr);
      throw new StepFailure(`exit code ${res.code}${detail ? `; last lines of its stderr:\n${detail}` : ''}`);
    }
  }

  private async runBuiltin(
    impl: BuiltinStep,
    step: HookStep,
    info: HookStepInfo,
    timeoutMs: number,
    timeoutLabel: string,
  ): Promise<void> {
    const stack = this.options.stack;
    const rendered: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(step.with ?? {}))
      rendered[k] = typeof v === 'string' ? stack.renderField(`${info.path}.with.${k}`, v) : v;
    const controller = new AbortController();
    const deadline = Date.now() + timeoutMs;
    const timeoutError = new StepFailure(`stopped after ${formatDuration(timeoutMs)} (${timeoutLabel})`, true);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort(timeoutError);
        reject(timeoutError);
      }, timeoutMs);
    });
    const ctx: BuiltinContext = {
      stack,
      kubectl: this.options.kubectl,
      with: rendered,
      step: info,
      signal: controller.signal,
      remainingMs: () => Math.max(1, deadline - Date.now()),
      log: this.log,
      processEnv: this.processEnv,
      sleep: this.options.sleep ?? abortableSleep,
      maskSecret: this.options.maskSecret,
      tlsSecretPoll: this.options.tlsSecretPoll,
    };
    try {
      // The race guarantees the step ends at its deadline even if a built-in ignores the signal.
      await Promise.race([impl(ctx), expired]);
    } catch (err) {
      if (controller.signal.aborted) throw timeoutError;
      throw err;
    } finally {
      clearTimeout(timer);
      expired.catch(() => undefined);
    }
  }
}

const GLOBAL_POINTS = new Set<HookPoint>(['beforeAll', 'afterAll', 'beforeDestroy', 'afterDestroy']);
const ITEM_POINTS = new Set<HookPoint>(['beforeApply', 'afterApply', 'beforeDestroy', 'afterDestroy']);
const isGlobal = (p: HookPoint): p is GlobalHookPoint => GLOBAL_POINTS.has(p);
const isItemPoint = (p: HookPoint): p is ItemHookPoint => ITEM_POINTS.has(p);
