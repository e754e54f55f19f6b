import { ChildProcessRunner, images, kubectlFor, loadStack, syncTarget } from '@codex-k8s/core';
import { actionsReporter, runAction, setOutputs } from '@codex-k8s/core/action-kit';
import { readInputs, type ImagesBuildInputs } from './inputs.js';

/** images-build: mirror and build the images of services.yaml, skipping tags the registry already has. */
export async function run(): Promise<void> {
  const reporter = actionsReporter();
  await runAction(async () => {
    const inputs = readInputs();
    const stack = loadStack({ ...inputs.stack, slot: inputs.slot, settingsOnly: !inputs.slot });
    for (const w of stack.warnings) reporter.warning(w.message, w);
    const result = await images.buildImages({
      stack,
      runner: new ChildProcessRunner(),
      names: inputs.images,
      mirror: inputs.mirror,
      build: inputs.build,
      builder: inputs.builder,
      force: inputs.force,
      parallel: inputs.parallel,
      insecureRegistries: inputs.insecureRegistries,
      dryRun: inputs.dryRun,
      reporter,
      kaniko: inputs.builder === 'kaniko' ? kanikoOptions(inputs.kaniko, stack) : undefined,
    });
    const refs = (list: images.ImageOutcome[]) => list.map((o) => o.ref);
    setOutputs({ built: refs(result.built), mirrored: refs(result.mirrored), skipped: refs(result.skipped) });
    const rows = [
      ...result.built.map((o) => `| ${o.name} | built | \`${o.ref}\` |`),
      ...result.mirrored.map((o) => `| ${o.name} | mirrored | \`${o.ref}\` |`),
      ...result.skipped.map((o) => `| ${o.name} | already in the registry | \`${o.ref}\` |`),
      ...result.planned.map(
        (j) => `| ${j.name} | would be ${j.kind === 'build' ? 'built' : 'mirrored'} | \`${j.target}\` |`,
      ),
    ];
    reporter.summary(
      `### codex-k8s images${inputs.dryRun ? ' (dry run: nothing was built or pushed)' : ''}\n\n` +
        (rows.length ? `| image | | reference |\n|---|---|---|\n${rows.join('\n')}\n` : 'No images.\n'),
    );
  });
  await reporter.flushSummary();
}

/** Builder kaniko's settings: the slot's sources where the source sync puts them (syncTarget). */
function kanikoOptions(k: ImagesBuildInputs['kaniko'], stack: ReturnType<typeof loadStack>): images.KanikoOptions {
  const base = k.codeRootBase.trim();
  return {
    image: k.image,
    timeoutMs: k.timeoutMs,
    registrySecret: k.registrySecret,
    source: k.source,
    workspacePvc: k.workspacePvc,
    sources: base
      ? {
          mount: k.workspaceMount,
          dir: syncTarget({ codeRootBase: base, workspaceMount: k.workspaceMount, slot: stack.slot, env: stack.env }),
        }
      : undefined,
    // Found (or installed) only when a build runs: a dry run needs no kubectl.
    kubectl: () => kubectlFor(stack, { version: k.kubectlVersion }),
  };
}
