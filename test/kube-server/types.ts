/** Shared types of the Kubernetes API test server. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: any };

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: any;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** The workload behaviour of an object: when (and whether) its pods become ready. */
export interface Behaviour {
  /** `ready`: pods become ready (Jobs complete); `never`: pods run but never become ready (Jobs never finish); `fail`: CrashLoopBackOff / Job Failed. */
  mode: 'ready' | 'never' | 'fail';
  /** Delay before the outcome is reached; default is the server's `readyDelayMs`. */
  afterMs?: number;
}

/** One entry of the request log. */
export interface RequestLogEntry {
  time: number;
  method: string;
  path: string;
  query: string;
  userAgent: string;
  /** `Kubectl-Command` header (for example `kubectl apply`), when kubectl sent it. */
  kubectlCommand?: string;
  /** `Kubectl-Session` header: one value per kubectl process. */
  kubectlSession?: string;
  status: number;
  durationMs: number;
}
