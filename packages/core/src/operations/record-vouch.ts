import { loadStack, type LoadOptions } from '../config/load.js';
import type { RecordVouch } from '../kube/ownership.js';
import type { SlotRecord } from '../slots/types.js';

/**
 * Whether a slot record may vouch for the unlabelled namespace it names. Records live in a ConfigMap anyone with
 * write access to the state namespace can edit, so a record alone could aim a cleanup at `foreign-prod`; it counts
 * only when services.yaml renders that very namespace for the record's slot, as it did for the predecessor's slots.
 */
export function recordVouches(load: Omit<LoadOptions, 'slot' | 'namespace'>, record: SlotRecord): RecordVouch {
  let rendered: string;
  try {
    rendered = loadStack({ ...load, env: record.env || load.env, slot: record.slot, namespace: undefined }).namespace;
  } catch (err) {
    return `the namespace of slot ${record.slot} cannot be rendered to check its record (${err instanceof Error ? err.message : String(err)})`;
  }
  if (rendered === record.namespace) return true;
  return `the record of slot ${record.slot} names it, but services.yaml gives slot ${record.slot} the namespace ${rendered}`;
}
