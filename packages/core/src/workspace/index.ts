export { syncSources, formatStamp, CLEANUP_MARGIN_SECONDS, type SyncResult } from './sync.js';
export {
  resolveSyncOptions,
  DEFAULT_WORKSPACE_MOUNT,
  DEFAULT_SYNC_IMAGE,
  DEFAULT_SYNC_TIMEOUT_MS,
  DEFAULT_SYNC_RESOURCES,
  type SyncOptions,
  type SyncResources,
  type ResourceList,
  type ResolvedSyncOptions,
} from './options.js';
export { syncTarget, validateMount, isStrictlyUnder, type TargetInput } from './target.js';
export { DEFAULT_EXCLUDES, compileExcludes, globToRegExp, validateExcludes, type ExcludeMatcher } from './excludes.js';
export { listSources, type SourceList } from './walk.js';
export { packSources, tarCreateArgs, MAX_ARCHIVE_BYTES, type PackOptions } from './archive.js';
export {
  syncPodManifest,
  syncId,
  SYNC_POD_PREFIX,
  SYNC_CONTAINER,
  LABEL_ROLE,
  ROLE_SOURCE_SYNC,
  type SyncPodSpec,
} from './pod.js';
export { podProblem } from './problem.js';
export {
  COPY_SCRIPT,
  CLEANUP_SCRIPT,
  CONFLICT_EXIT,
  MANIFEST_FILE,
  PENDING_MANIFEST_FILE,
  SAVED_DIR,
} from './script.js';
export { SyncError, WorkspaceChangedError, type SyncStep } from './errors.js';
