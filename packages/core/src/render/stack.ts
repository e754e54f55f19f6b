import { strictError, type LoadedStack } from '../config/load.js';
import type { Overlay } from '../config/schema.js';
import { isWhenTrue } from '../config/when.js';
import { UserError, type Diagnostic } from '../util/errors.js';
import { makeSelector, type StackFilters } from './filters.js';
import { loadManifest, type KubeObject } from './manifests.js';
import { isClusterScoped } from '../objects/kinds.js';
import {
  addComponentLabel,
  addOwnershipLabels,
  applyMounts,
  applyPullPolicy,
  droppedKind,
  injectNamespace,
  isServiceWorkload,
  overrideImage,
} from './overlays.js';
import { isKnownKind } from '../objects/kinds.js';
import { validateDocuments } from './validate.js';

export type GroupType = 'infra' | 'service';

export interface StackDocument {
  object: KubeObject;
  group: GroupType;
  /** Infra group or service name. */
  name: string;
  file: string;
  index: number;
}

/** One infra group or service: the unit applied by one kubectl call. */
export interface StackGroup {
  type: GroupType;
  name: string;
  documents: StackDocument[];
}

export interface RenderedStack {
  groups: StackGroup[];
  documents: StackDocument[];
  warnings: Diagnostic[];
}

/**
 * Renders the whole stack: enabled infra groups in file order, then enabled services in file order, documents in
 * file order. Everything is rendered and validated before anything is returned, so a caller never applies half.
 */
export function renderStack(stack: LoadedStack, filters: StackFilters = {}): RenderedStack {
  const { config } = stack;
  const infra = config.infrastructure ?? [];
  const services = config.services ?? [];
  const select = makeSelector(
    filters,
    infra.map((i) => i.name),
    services.map((s) => s.name),
  );
  const warnings: Diagnostic[] = [];
  const groups: StackGroup[] = [];
  const pullPolicy = stack.environment.imagePullPolicy;
  const finish = (obj: KubeObject, type: GroupType, name: string) => {
    applyPullPolicy(obj, pullPolicy);
    addOwnershipLabels(obj, stack.project, stack.env, stack.slot);
    addComponentLabel(obj, type, name);
  };

  infra.forEach((item, i) => {
    if (!select.infra(item.name)) return;
    if (!isWhenTrue(item.when === undefined ? undefined : stack.renderField(`infrastructure[${i}].when`, item.when)))
      return;
    const group: StackGroup = { type: 'infra', name: item.name, documents: [] };
    for (const m of item.manifests ?? []) {
      for (const doc of loadManifest(stack, m.path)) {
        const unplaced = withoutNamespace(doc.object);
        if (unplaced) {
          warnings.push({
            file: doc.file,
            path: `infrastructure[${i}] (${item.name}), document ${doc.index}`,
            message:
              `${unplaced} has no metadata.namespace, so kubectl puts it in the kubeconfig's namespace (usually ` +
              '"default"), where every slot shares and overwrites the same object; add "namespace: {{ .Namespace }}" ' +
              'under its metadata (or the shared namespace it belongs in)',
          });
        }
        finish(doc.object, 'infra', item.name);
        group.documents.push({ object: doc.object, group: 'infra', name: item.name, file: doc.file, index: doc.index });
      }
    }
    groups.push(group);
  });

  services.forEach((svc, i) => {
    if (!select.service(svc.name)) return;
    if (!isWhenTrue(svc.when === undefined ? undefined : stack.renderField(`services[${i}].when`, svc.when))) return;
    const overlay: Overlay = svc.overlays?.[stack.env] ?? {};
    const image = serviceImage(stack, svc.image, i);
    const group: StackGroup = { type: 'service', name: svc.name, documents: [] };
    const usedDropKinds = new Set<string>();
    for (const m of svc.manifests ?? []) {
      for (const doc of loadManifest(stack, m.path)) {
        const obj = doc.object;
        const dropped = droppedKind(obj, overlay.dropKinds);
        if (dropped) {
          usedDropKinds.add(dropped);
          continue;
        }
        injectNamespace(obj, stack.namespace);
        if (isServiceWorkload(obj, svc.name)) {
          if (image) overrideImage(obj, svc.name, image);
          applyMounts(obj, svc.name, overlay);
        }
        finish(obj, 'service', svc.name);
        group.documents.push({ object: obj, group: 'service', name: svc.name, file: doc.file, index: doc.index });
      }
    }
    (overlay.dropKinds ?? []).forEach((k, j) => {
      if (!usedDropKinds.has(k) && !isKnownKind(k)) {
        warnings.push({
          file: stack.displayFile,
          path: `services[${i}].overlays.${stack.env}.dropKinds[${j}]`,
          message: `"${k}" is not a Kubernetes kind this tool knows and matches no document of service ${svc.name}: check its spelling`,
        });
      }
    });
    groups.push(group);
  });

  const documents = groups.flatMap((g) => g.documents);
  validateDocuments(documents, stack.displayFile);
  if (stack.strict && warnings.length) throw strictError(stack.displayFile, warnings);
  return { groups, documents, warnings };
}

/**
 * Infra documents keep the namespace they are written with (they often target shared namespaces), so a namespaced
 * one written without any lands wherever kubectl's context points. Returns `Kind/name` of such a document.
 */
function withoutNamespace(obj: KubeObject): string | undefined {
  if (typeof obj.kind !== 'string' || isClusterScoped(obj)) return undefined;
  const ns = obj.metadata?.namespace;
  if (typeof ns === 'string' && ns.trim() !== '') return undefined;
  return `${obj.kind}/${String(obj.metadata?.name ?? '(no name)')}`;
}

function serviceImage(
  stack: LoadedStack,
  image: { repository?: string; tagTemplate?: string } | undefined,
  i: number,
): string | undefined {
  const repository = image?.repository?.trim();
  if (!repository) return undefined;
  const tag = image?.tagTemplate ? stack.renderField(`services[${i}].image.tagTemplate`, image.tagTemplate).trim() : '';
  if (/\s/.test(repository) || /\s/.test(tag)) {
    throw new UserError(
      `${stack.displayFile}: services[${i}].image: "${repository}${tag ? `:${tag}` : ''}" is not a valid image reference (it contains whitespace)`,
    );
  }
  return tag ? `${repository}:${tag}` : repository;
}

export { stackToYaml } from '../objects/yaml.js';
