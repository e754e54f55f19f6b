import { z } from 'zod';

/*
 * services.yaml is parsed with YAML's failsafe schema (every scalar is a string, exactly as written), so versions
 * like `1.20` keep their text. Booleans and integers are converted here, with the same spellings Go accepts.
 */
const text = z.string();

const bool = z.union([z.boolean(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'boolean') return value;
  const v = value.trim();
  if (['true', 'True', 'TRUE', '1', 't', 'T'].includes(v)) return true;
  if (['false', 'False', 'FALSE', '0', 'f', 'F', ''].includes(v)) return false;
  ctx.addIssue({ code: 'custom', message: `expected true or false, got "${value}"` });
  return z.NEVER;
});

const int = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const n = typeof value === 'number' ? value : value.trim() === '' ? 0 : Number(value.trim());
  if (!Number.isInteger(n)) {
    ctx.addIssue({ code: 'custom', message: `expected an integer, got "${value}"` });
    return z.NEVER;
  }
  return n;
});

const textList = z.array(text);
const textMap = z.record(z.string(), text);

const ValueRef = z.strictObject({
  value: text.optional(),
  envRef: text.optional(),
  varRef: text.optional(),
  optional: bool.optional(),
});

const MCPServer = z.strictObject({
  name: text,
  type: text.optional(),
  description: text.optional(),
  tool_timeout_sec: int.optional(),
  startup_timeout_sec: int.optional(),
  command: text.optional(),
  args: textList.optional(),
  env: z.record(z.string(), ValueRef).optional(),
  endpoint: text.optional(),
  headers: z.record(z.string(), ValueRef).optional(),
  bearer_token_env_var: text.optional(),
  service: z
    .strictObject({
      name: text.optional(),
      namespace: text.optional(),
      port: int.optional(),
      path: text.optional(),
      scheme: text.optional(),
    })
    .optional(),
  tools: z.array(z.strictObject({ name: text, description: text.optional() })).optional(),
});

const CodexConfig = z.strictObject({
  configTemplate: text.optional(),
  promptLang: text.optional(),
  model: text.optional(),
  modelReasoningEffort: text.optional(),
  links: z.array(z.strictObject({ title: text, path: text })).optional(),
  extraTools: textList.optional(),
  projectContext: text.optional(),
  servicesOverview: text.optional(),
  timeouts: z.strictObject({ exec: text.optional(), rollout: text.optional(), deployWait: text.optional() }).optional(),
  configBlocks: z
    .array(z.strictObject({ name: text.optional(), toml: text.optional(), file: text.optional() }))
    .optional(),
  reviewMCPEnabled: bool.optional(),
  mcp: z.strictObject({ servers: z.array(MCPServer).optional() }).optional(),
});

export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

const Environment = z.strictObject({
  from: text.optional(),
  imagePullPolicy: z.enum(PULL_POLICIES).optional(),
  slotBootstrapInfra: textList.optional(),
  localRegistry: z.strictObject({ enabled: bool.optional(), name: text.optional(), port: int.optional() }).optional(),
  kubeconfig: text.optional(),
});

const ImageSpec = z.strictObject({
  type: text.transform((t) => t.trim().toLowerCase()).pipe(z.enum(['external', 'build'])),
  from: text.optional(),
  local: text.optional(),
  repository: text.optional(),
  tag: text.optional(),
  tagTemplate: text.optional(),
  dockerfile: text.optional(),
  context: text.optional(),
  buildArgs: textMap.optional(),
  buildContexts: textMap.optional(),
});

const Manifest = z.strictObject({ path: text });

const HookStep = z.strictObject({
  name: text.optional(),
  run: text.optional(),
  use: text.optional(),
  with: z.record(z.string(), z.unknown()).optional(),
  when: text.optional(),
  continueOnError: bool.optional(),
  timeout: text.optional(),
});

const ItemHooks = z.strictObject({
  beforeApply: z.array(HookStep).optional(),
  afterApply: z.array(HookStep).optional(),
  beforeDestroy: z.array(HookStep).optional(),
  afterDestroy: z.array(HookStep).optional(),
});

const PVCMount = z.strictObject({
  name: text,
  claimName: text,
  mountPath: text,
  subPath: text.optional(),
  readOnly: bool.optional(),
});

export const HOST_PATH_TYPES = [
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
  'CharDevice',
  'BlockDevice',
] as const;

const HostMount = z.strictObject({
  name: text,
  hostPath: text,
  mountPath: text,
  subPath: text.optional(),
  readOnly: bool.optional(),
  hostPathType: z.enum(HOST_PATH_TYPES).optional(),
});

const Overlay = z.strictObject({
  pvcMounts: z.array(PVCMount).optional(),
  hostMounts: z.array(HostMount).optional(),
  dropKinds: textList.optional(),
});

const InfraItem = z.strictObject({
  name: text,
  manifests: z.array(Manifest).optional(),
  when: text.optional(),
  hooks: ItemHooks.optional(),
});

const Service = z.strictObject({
  name: text,
  manifests: z.array(Manifest).optional(),
  image: z.strictObject({ repository: text.optional(), tagTemplate: text.optional() }).optional(),
  ingress: z.strictObject({ hosts: textMap.optional() }).optional(),
  when: text.optional(),
  overlays: z.record(z.string(), Overlay).optional(),
  hooks: ItemHooks.optional(),
});

const PVCSpec = z.strictObject({
  size: text.optional(),
  storageClass: text.optional(),
  accessModes: textList.optional(),
});

export const StackConfigSchema = z.strictObject({
  strict: bool.optional(),
  project: text.optional(),
  envFiles: textList.optional(),
  codex: CodexConfig.optional(),
  namespace: z.strictObject({ patterns: textMap.optional() }).optional(),
  maxSlots: int.optional(),
  registry: text.optional(),
  images: z.record(z.string(), ImageSpec).optional(),
  baseDomain: textMap.optional(),
  environments: z.record(z.string(), Environment).optional(),
  infrastructure: z.array(InfraItem).optional(),
  services: z.array(Service).optional(),
  hooks: z
    .strictObject({
      beforeAll: z.array(HookStep).optional(),
      afterAll: z.array(HookStep).optional(),
      beforeDestroy: z.array(HookStep).optional(),
      afterDestroy: z.array(HookStep).optional(),
    })
    .optional(),
  storage: z
    .strictObject({ workspace: PVCSpec.optional(), data: PVCSpec.optional(), registry: PVCSpec.optional() })
    .optional(),
  state: z
    .strictObject({
      backend: text.optional(),
      configmapNamespace: text.optional(),
      configmapPrefix: text.optional(),
    })
    .optional(),
  versions: textMap.optional(),
});

export type StackConfig = z.output<typeof StackConfigSchema>;
export type CodexConfig = NonNullable<StackConfig['codex']>;
export type Environment = z.output<typeof Environment>;
export type ImageSpec = z.output<typeof ImageSpec>;
export type InfraItem = z.output<typeof InfraItem>;
export type Service = z.output<typeof Service>;
export type Overlay = z.output<typeof Overlay>;
export type PVCMountSpec = z.output<typeof PVCMount>;
export type HostMountSpec = z.output<typeof HostMount>;
export type HookStep = z.output<typeof HookStep>;
export type ItemHooks = z.output<typeof ItemHooks>;
export type MCPServer = z.output<typeof MCPServer>;
export type PVCSpec = z.output<typeof PVCSpec>;
