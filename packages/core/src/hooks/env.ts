import path from 'node:path';
import type { Kubectl } from '../kube/kubectl.js';
import type { HookItem, HookPoint, HookStack } from './types.js';

/**
 * The environment of a `run:` step. Every context value arrives as a variable, so a script can write
 * `kubectl -n "$CODEX_K8S_NAMESPACE" ...` instead of splicing `{{ .Namespace }}` (or an issue title from `--vars`)
 * into shell text where quotes in the value would become code. The merged variables (`EnvMap`: envFiles, process
 * environment, var-file, inline vars) come along too; the predecessor gave hooks only its own process environment.
 * The step talks to the same cluster as the tool: KUBECONFIG is set when the environment names one, and the
 * kubectl in use is first on PATH.
 */
export function hookEnvironment(
  stack: HookStack,
  options: {
    kubectl?: Kubectl;
    processEnv?: Record<string, string | undefined>;
    point?: HookPoint;
    item?: HookItem;
  } = {},
): Record<string, string> {
  const processEnv = options.processEnv ?? process.env;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(processEnv)) if (v !== undefined) env[k] = v;
  Object.assign(env, stack.variables.envMap);
  Object.assign(env, {
    CODEX_K8S_ENV: stack.env,
    CODEX_K8S_NAMESPACE: stack.namespace,
    CODEX_K8S_SLOT: String(stack.slot),
    CODEX_K8S_PROJECT: stack.project,
    CODEX_K8S_PROJECT_ROOT: stack.projectRoot,
  });
  if (options.point) env.CODEX_K8S_HOOK = options.point;
  if (options.item) {
    env.CODEX_K8S_HOOK_ITEM = options.item.name;
    env.CODEX_K8S_HOOK_ITEM_TYPE = options.item.type;
  }
  const kube = options.kubectl?.options;
  if (kube?.kubeconfig) env.KUBECONFIG = kube.kubeconfig;
  if (kube?.context) env.CODEX_K8S_KUBE_CONTEXT = kube.context;
  if (kube?.binary && path.isAbsolute(kube.binary)) {
    const dir = path.dirname(kube.binary);
    const current = env.PATH ?? '';
    if (!current.split(path.delimiter).includes(dir)) env.PATH = current ? `${dir}${path.delimiter}${current}` : dir;
  }
  return env;
}
