import { formatRef, refOf } from '../objects/refs.js';
import { renderStack } from '../render/stack.js';
import { plural } from '../util/plural.js';
import { decideApply } from './apply-decision.js';
import type { EnsureReadyOptions, EnsureReadyResult } from './ensure-ready.js';
import { ensureSlot } from './ensure-slot.js';

/**
 * The dry run of ensureReady: the slot that would be used, whether its environment would be created or restored,
 * the objects that would be applied and where the sources would go. Reads only: no claim, no namespace, no record,
 * no hook, no copy.
 */
export async function planEnsureReady(o: EnsureReadyOptions): Promise<EnsureReadyResult> {
  const r = o.reporter;
  const slot = await ensureSlot({ ...o, dryRun: true });
  const { kubectl, stack } = slot;
  let recreated = false;
  if (!slot.created) {
    const found = await kubectl.run(['get', 'namespace', slot.namespace, '--ignore-not-found', '-o', 'name']);
    recreated = !found.trim();
    if (recreated) r.info(`dry run: namespace ${slot.namespace} of slot ${slot.slot} is gone; it would be recreated`);
  }
  const newEnv = slot.created || recreated;
  const load = { ...o.load, slot: slot.slot, namespace: slot.namespace };
  const { applying, reason: applyReason } = decideApply(o, slot, { newEnv, recreated, load });
  let wouldApply: string[] = [];
  if (applying) {
    const rendered = renderStack(stack);
    for (const w of rendered.warnings) r.warning(w.message, w);
    wouldApply = rendered.documents.map((d) => formatRef(refOf(d.object)));
    r.info(
      `dry run: would apply ${plural(wouldApply.length, 'object')} to ${slot.namespace}:\n${wouldApply.map((x) => `  ${x}`).join('\n')}`,
    );
  } else {
    r.info(
      o.apply === false
        ? 'dry run: apply: false, nothing would be applied'
        : `dry run: stack of ${slot.namespace} ${applyReason}: it would not be applied again (force-apply: true applies it)`,
    );
  }
  if (o.sync) {
    r.info(
      `dry run: would copy ${o.sync.source} into ${o.sync.codeRootBase.replace(/\/+$/, '')}/${slot.slot}/src of ${o.sync.pvc || `${stack.project}-workspace`}`,
    );
  }
  const domain = stack.config.baseDomain?.[stack.env]?.trim();
  return {
    ...slot,
    // The whole stack includes the bootstrap's infra groups; without an apply only the bootstrap would run.
    dryRun: { wouldApply: applying ? wouldApply : (slot.dryRun?.wouldApply ?? []) },
    recreated,
    newEnv,
    // Nothing was applied or waited for.
    infraReady: false,
    envReady: false,
    applied: false,
    applyReason,
    appliedDigest: '',
    url: domain ? `https://${domain}` : undefined,
  };
}
