import type { LoadedStack } from '../config/load.js';
import { UserError } from '../util/errors.js';

/** Root hook lists. Apply and destroy have their own (the predecessor shared beforeAll/afterAll between them). */
export type GlobalHookPoint = 'beforeAll' | 'afterAll' | 'beforeDestroy' | 'afterDestroy';
/** Hook lists of an infra item or a service. */
export type ItemHookPoint = 'beforeApply' | 'afterApply' | 'beforeDestroy' | 'afterDestroy';
export type HookPoint = GlobalHookPoint | ItemHookPoint;

export interface HookItem {
  type: 'infra' | 'service';
  name: string;
}

/** What hooks need from a loaded stack (a LoadedStack fits; tests build a small one). */
export type HookStack = Pick<
  LoadedStack,
  'config' | 'env' | 'namespace' | 'slot' | 'project' | 'projectRoot' | 'renderField' | 'variables'
>;

/** Where a step is and what it does; every event and error carries it. */
export interface HookStepInfo {
  point: HookPoint;
  /** Unset for root hooks. */
  item?: HookItem;
  index: number;
  /** Field path in services.yaml: `hooks.beforeAll[0]`, `services[2].hooks.afterApply[1]`. */
  path: string;
  /** The step's `name`, else what it runs. */
  name: string;
  /** `run`, `use: kubectl.wait`, or `none`. */
  action: string;
}

export type StepOutcome = 'ok' | 'skipped' | 'failed' | 'continued';

export interface StepResult {
  step: HookStepInfo;
  outcome: StepOutcome;
  durationMs: number;
  /** Why a step was skipped: its `when` was false, or it has nothing to do. */
  skipReason?: 'when' | 'empty';
  error?: string;
  timedOut?: boolean;
}

export type HookEvent = { type: 'step-start'; step: HookStepInfo } | ({ type: 'step-end' } & StepResult);

/** Told about every step: callers open a `core.group` per step, tests record the order. */
export type HookRecorder = (event: HookEvent) => void;

/** `hooks.beforeAll[0] "migrate"` or `services[2] api afterApply[1] "migrate"`. */
export function describeStep(step: HookStepInfo): string {
  const where = step.item
    ? `${step.item.type === 'infra' ? 'infra' : 'service'} ${step.item.name} ${step.point}[${step.index}]`
    : `hooks.${step.point}[${step.index}]`;
  return `hook step "${step.name}" (${where})`;
}

/** A step failed and the run stops (steps with `continueOnError` are reported, not thrown). */
export class HookError extends UserError {
  constructor(
    readonly step: HookStepInfo,
    readonly reason: string,
    readonly timedOut = false,
  ) {
    super(
      `${describeStep(step)} ${timedOut ? 'timed out' : 'failed'}: ${reason}\n` +
        (timedOut
          ? `Raise its timeout (at ${step.path}.timeout) if it needs longer, or find out why it hangs.`
          : `Fix the step at ${step.path}, or set continueOnError: true on it to let the run go on.`),
    );
    this.name = 'HookError';
  }
}

/** Thrown by a step's implementation; the runner turns it into a HookError naming the step. */
export class StepFailure extends UserError {
  constructor(
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'StepFailure';
  }
}
