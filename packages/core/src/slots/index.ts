/**
 * Slot state store: records in ConfigMaps of the state namespace; allocate / find / link / release / collect.
 * Names are chosen not to clash with kube/ when both are re-exported from the package root.
 */
export * from './types.js';
export {
  recordName,
  recordManifest,
  parseRecord,
  recordLabels,
  lastActivity,
  describeHolder,
  formatTimestamp as formatSlotTimestamp,
  type ConfigMap as SlotConfigMap,
} from './record.js';
export { matchesQuery, findRecords, pickWinner, freeSlots, holdersWithin, compareResourceVersion } from './match.js';
export { SlotStateError, NoFreeSlotError } from './errors.js';
export {
  SlotStore,
  type SlotStoreOptions,
  type RecordChanges,
  type StaleReason,
  type CollectStaleOptions,
  type CollectStaleResult,
} from './store.js';
export {
  allocateSlot,
  planSlot,
  type SlotPlan,
  type AllocateRequest,
  type AllocateEvent,
  type AllocateOutcome,
} from './allocate.js';
