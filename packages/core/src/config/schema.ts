// A namespace import lets bundlers keep only the parts of zod used here: `import { z }` pulled in every locale and
// the JSON Schema converter (450 KB of a CLI command's 770 KB bundle, read and compiled on every start).
import * as z from 'zod';

// services.yaml is validated once per process: zod's generated fast parsers (compiled with `new Function`, which no
// code cache keeps) cost more to build than they save on a single parse.
z.config({ jitless: true });

/*
 * services.yaml is parsed with YAML's failsafe schema (every scalar is a string, exactly as written), so versions
 * like `1.20` keep their text. Booleans and integers are converted here, with the same spellings Go accepts.
 *
 * Each field carries a description (and a `default` where the code behind it falls back to a fixed value): they
 * are only metadata, never part of validation. `npm run docs` turns them into schema/services.schema.json and
 * docs/services-yaml.md; a `title` marks a shape used in several places, documented once under that name.
 */
export const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

export const HOST_PATH_TYPES = [
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
  'CharDevice',
  'BlockDevice',
] as const;

/*
 * Built on first use, not at import: a command that never validates services.yaml (`--help`, `template`, a
 * failure before the file is read) does not pay for building about 200 zod schemas at start.
 */
function buildSchemas() {
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

  const WHEN =
    'Go template deciding whether this is used: empty or rendering to blank is true; `false`, `0`, `no`, `off` (any case) are false; anything else is true.';

  const ValueRef = z
    .strictObject({
      value: text.optional().describe('The value itself. Refused when it looks like a secret: use envRef for those.'),
      envRef: text
        .optional()
        .describe('Name of a variable of the environment (the process environment, envFiles, var-file or vars).'),
      varRef: text.optional().describe('Name of an entry of `vars` or the var-file.'),
      optional: bool.optional().meta({
        description: 'Leave the entry out when the variable is unset or empty, instead of failing.',
        default: false,
      }),
    })
    .meta({
      title: 'Value reference',
      description: 'Where a value comes from: exactly one of `value`, `envRef` and `varRef`.',
    });

  const MCPServer = z.strictObject({
    name: text.describe(
      'Server name, the key of its `[mcp_servers.<name>]` table: letters, digits, `_` and `-`, at most 64; unique, case ignored.',
    ),
    type: text
      .optional()
      .describe(
        '`stdio`, `http`, `https` or `cluster` (case ignored). Left out, the fields decide: `command` means stdio, `endpoint` http, `service` cluster.',
      ),
    description: text.optional().describe('Visible to templates as `.Description`; not sent to Codex.'),
    tool_timeout_sec: int.optional().describe("Codex's `tool_timeout_sec`: how many seconds one tool call may take."),
    startup_timeout_sec: int
      .optional()
      .describe("Codex's `startup_timeout_sec`: how many seconds the server may take to start."),
    command: text.optional().describe('stdio: the program Codex starts (required for stdio).'),
    args: textList.optional().describe('stdio: arguments of `command`.'),
    env: z
      .record(z.string(), ValueRef)
      .optional()
      .describe(
        "stdio: the server's environment. An `envRef` or `varRef` entry is passed by variable name (`env_vars`), never by value.",
      ),
    endpoint: text
      .optional()
      .describe(
        'http, https: URL of the server (`http://` or `https://` is added when missing); no credentials in it.',
      ),
    headers: z
      .record(z.string(), ValueRef)
      .optional()
      .describe(
        'http, https, cluster: HTTP headers. An `envRef` header is sent by variable name (`env_http_headers`); a literal or `varRef` one must not look like a secret.',
      ),
    bearer_token_env_var: text
      .optional()
      .describe('http, https, cluster: name of the variable that holds a bearer token for the server.'),
    service: z
      .strictObject({
        name: text.optional().describe('Name of the Service (required for cluster).'),
        namespace: text.optional().describe("Namespace of the Service; default: the slot's namespace."),
        port: int.optional().meta({ description: 'Port of the Service.', default: 80 }),
        path: text.optional().meta({ description: 'Path of the MCP endpoint.', default: '/mcp' }),
        scheme: text.optional().meta({ description: '`http` or `https`.', default: 'http' }),
      })
      .optional()
      .describe(
        'cluster: a Kubernetes Service, reached as `<scheme>://<name>.<namespace>.svc.cluster.local:<port><path>`.',
      ),
    tools: z
      .array(
        z.strictObject({
          name: text.describe('Tool name.'),
          description: text.optional().describe('What the tool does.'),
        }),
      )
      .optional()
      .describe('Visible to templates as `.Tools`; not sent to Codex.'),
  });

  const CodexConfig = z.strictObject({
    configTemplate: text
      .optional()
      .describe(
        "Path of a Go template, relative to the project root, that renders to TOML: the first layer of Codex's config.toml.",
      ),
    promptLang: text.optional().meta({
      description: "Language of the built-in prompts, `en` or `ru`; prompt-run's `lang` beats it.",
      default: 'en',
    }),
    model: text.optional().meta({
      description:
        "Codex model, used when neither prompt-run's `model` input nor an `[ai-model-<id>]` label names one.",
      default: 'gpt-5.3-codex',
    }),
    modelReasoningEffort: text.optional().meta({
      description:
        "Reasoning effort (`none`, `minimal`, `low`, `medium`, `high`, `xhigh`), used when neither prompt-run's `reasoning-effort` nor an `[ai-reasoning-<effort>]` label gives one.",
      default: 'medium',
    }),
    links: z
      .array(
        z.strictObject({
          title: text.describe('Text of the link.'),
          path: text.describe("Path on the environment's host, e.g. `/docs`."),
        }),
      )
      .optional()
      .describe('Pages of the environment listed in the prompt, as `https://<baseDomain of the env><path>`.'),
    extraTools: textList.optional().describe('Tools of the agent image worth knowing about, listed in the prompt.'),
    projectContext: text.optional().describe('Free text about the project, given to the agent in the prompt.'),
    servicesOverview: text.optional().describe('Free text describing the services, given to the agent in the prompt.'),
    timeouts: z
      .strictObject({
        exec: text
          .optional()
          .describe("Visible to templates as `.Codex.Timeouts.Exec`; prompt-run's limit is its `timeout` input."),
        rollout: text.optional().describe('Visible to templates as `.Codex.Timeouts.Rollout`; nothing else reads it.'),
        deployWait: text.optional().meta({
          description: "Limit of each workload wait, when the action's `wait-timeout` input is not given.",
          default: '10m',
        }),
      })
      .optional()
      .describe('Durations in Go syntax: `90s`, `5m`, `1h30m`.'),
    configBlocks: z
      .array(
        z.strictObject({
          name: text.optional().describe('Name of the block in messages.'),
          toml: text.optional().describe('TOML text, a Go template. Set exactly one of `toml` and `file`.'),
          file: text.optional().describe('Path of a TOML file (a Go template), relative to the project root.'),
        }),
      )
      .optional()
      .describe(
        "TOML merged into Codex's config.toml last, in order, table by table; each key a block replaces is reported as a warning.",
      ),
    reviewMCPEnabled: bool.optional().meta({
      description: 'Visible to templates as `.Codex.ReviewMCPEnabled`; nothing else reads it.',
      default: false,
    }),
    mcp: z
      .strictObject({
        servers: z
          .array(MCPServer)
          .optional()
          .describe(
            "MCP servers, each an `[mcp_servers.<name>]` table of Codex's config.toml. Secrets travel by variable name only: the agent pod must have those variables.",
          ),
      })
      .optional()
      .describe('MCP servers Codex may use.'),
  });

  const Environment = z.strictObject({
    from: text.optional().describe('Parent environment: each field left empty here is taken from it, recursively.'),
    imagePullPolicy: z
      .enum(PULL_POLICIES)
      .optional()
      .describe('Set on every container of every rendered workload that sets none.'),
    slotBootstrapInfra: textList
      .optional()
      .describe(
        'Infra groups applied, and only those, when ensure-slot claims a new slot (names compare case-insensitively).',
      ),
    localRegistry: z
      .strictObject({
        enabled: bool.optional().describe('Accepted for compatibility; nothing reads it.'),
        name: text.optional().describe('Accepted for compatibility; nothing reads it.'),
        port: int.optional().describe('Accepted for compatibility; nothing reads it.'),
      })
      .optional()
      .describe('Accepted for compatibility; nothing reads it.'),
    kubeconfig: text
      .optional()
      .describe('kubeconfig file of this environment (`~` expanded, relative to the project root); else `KUBECONFIG`.'),
  });

  const ImageSpec = z.strictObject({
    type: text
      .transform((t) => t.trim().toLowerCase())
      .pipe(z.enum(['external', 'build']))
      .describe(
        '`external`: copy `from` to `local`; `build`: build `dockerfile` in `context` and push `repository:tag`. Case ignored.',
      ),
    from: text.optional().describe('external: the image to copy.'),
    local: text.optional().describe('external: where the copy goes.'),
    repository: text.optional().describe('build: the repository to push to, registry host included.'),
    tag: text.optional().describe('build: the tag; beats `tagTemplate`.'),
    tagTemplate: text.optional().describe('build: a Go template of the tag.'),
    dockerfile: text
      .optional()
      .meta({ description: 'build: the Dockerfile, relative to the project root.', default: 'Dockerfile' }),
    context: text
      .optional()
      .meta({ description: 'build: the build context, relative to the project root.', default: '.' }),
    buildArgs: textMap
      .optional()
      .describe('build: build arguments. Values are Go templates and reach the builder through its environment.'),
    buildContexts: textMap.optional().describe('Named build contexts: not supported yet; an entry fails the build.'),
  });

  const Manifest = z
    .strictObject({
      path: text.describe(
        'Path of the file, relative to the project root and inside it. The file is a Go template of one or more YAML documents.',
      ),
    })
    .meta({ title: 'Manifest', description: 'A manifest file.' });

  const HookStep = z
    .strictObject({
      name: text.optional().describe('Name of the step in logs and messages.'),
      run: text
        .optional()
        .describe(
          'A bash script run in the project root, rendered as a Go template first: read values from the environment (`$CODEX_K8S_NAMESPACE`, the variables) or quote them with `shq`.',
        ),
      use: text
        .optional()
        .describe(
          'A built-in step, when there is no `run`: `kubectl.wait`, `sleep`, `preflight`, `codex.ensure-codex-secrets`, `codex.reuse-dev-tls-secret`, `github.comment`.',
        ),
      with: z.record(z.string(), z.unknown()).optional().describe('Parameters of the built-in step.'),
      when: text.optional().describe(WHEN),
      continueOnError: bool
        .optional()
        .meta({ description: 'A failure of the step is a warning and the next steps run.', default: false }),
      timeout: text.optional().meta({ description: 'Limit of the step (Go duration).', default: '30m' }),
    })
    .meta({ title: 'Hook step', description: 'One step of a hook: `run` or `use`.' });

  const ItemHooks = z
    .strictObject({
      beforeApply: z.array(HookStep).optional().describe('Steps run before the groups and services are applied.'),
      afterApply: z
        .array(HookStep)
        .optional()
        .describe('Steps run once every group and service is applied (not right after this one).'),
      beforeDestroy: z.array(HookStep).optional().describe("Steps run before the environment's namespace is deleted."),
      afterDestroy: z.array(HookStep).optional().describe("Steps run after the environment's namespace is deleted."),
    })
    .meta({
      title: 'Item hooks',
      description: 'Hooks of one infra group or service; they run only when it is enabled and selected.',
    });

  const PVCMount = z.strictObject({
    name: text.describe('Name of the volume; a volume and mounts of the same name in the workload are replaced.'),
    claimName: text.describe('The PersistentVolumeClaim.'),
    mountPath: text.describe('Where the volume appears in the containers.'),
    subPath: text.optional().describe('Directory inside the volume to mount instead of its root.'),
    readOnly: bool.optional().meta({ description: 'Mount read-only.', default: false }),
  });

  const HostMount = z.strictObject({
    name: text.describe('Name of the volume; a volume and mounts of the same name in the workload are replaced.'),
    hostPath: text.describe('Path on the node.'),
    mountPath: text.describe('Where the directory appears in the containers.'),
    subPath: text.optional().describe('Directory inside the host path to mount instead of the host path itself.'),
    readOnly: bool.optional().meta({ description: 'Mount read-only.', default: false }),
    hostPathType: z
      .enum(HOST_PATH_TYPES)
      .optional()
      .meta({ description: 'Type of the hostPath volume.', default: 'Directory' }),
  });

  const Overlay = z.strictObject({
    pvcMounts: z
      .array(PVCMount)
      .optional()
      .describe(
        "PersistentVolumeClaims mounted into the service's workload: the container named like the service (else the first) and the init containers.",
      ),
    hostMounts: z
      .array(HostMount)
      .optional()
      .describe("Node directories (hostPath volumes) mounted into the service's workload, as pvcMounts are."),
    dropKinds: textList
      .optional()
      .describe("Kinds of the service's documents left out in this environment, case ignored (e.g. `Ingress`)."),
  });

  const InfraItem = z.strictObject({
    name: text.describe(
      'Name of the group: for `only-infra` / `skip-infra`, slotBootstrapInfra and the `codex-k8s.io/infra` label.',
    ),
    manifests: z.array(Manifest).optional().describe('Manifest files of the group, in order.'),
    when: text.optional().describe(WHEN),
    hooks: ItemHooks.optional(),
  });

  const Service = z.strictObject({
    name: text.describe(
      'Name of the service: for `only-services` / `skip-services` and the `codex-k8s.io/service` label. Its workload is the one of any kind named like it.',
    ),
    manifests: z.array(Manifest).optional().describe('Manifest files of the service, in order.'),
    image: z
      .strictObject({
        repository: text.optional().describe('The image without its tag.'),
        tagTemplate: text.optional().describe('A Go template of the tag; without it the image has no tag.'),
      })
      .optional()
      .describe(
        "Image of the service's workload: set on the container named like the service (else the first) and on init containers that ran the same image.",
      ),
    ingress: z
      .strictObject({ hosts: textMap.optional().describe('Accepted for compatibility; nothing reads it.') })
      .optional()
      .describe('Accepted for compatibility; nothing reads it.'),
    when: text.optional().describe(WHEN),
    overlays: z
      .record(z.string(), Overlay)
      .optional()
      .describe("Changes to the service's documents in one environment, by environment name."),
    hooks: ItemHooks.optional(),
  });

  const PVCSpec = z
    .strictObject({
      size: text.optional().describe('Requested size, e.g. `10Gi`.'),
      storageClass: text.optional().describe('Storage class.'),
      accessModes: textList.optional().describe('Access modes, e.g. `ReadWriteMany`.'),
    })
    .meta({
      title: 'Volume claim settings',
      description: 'Settings of a PersistentVolumeClaim, visible to templates; the manifests write the claim.',
    });

  const StackConfigSchema = z.strictObject({
    strict: bool.optional().meta({
      description:
        "Every warning of the loader (unknown keys included) is an error, and a missing map key in a template is an error, as Go's `missingkey=error`.",
      default: false,
    }),
    project: text
      .optional()
      .describe(
        'Project name (the loader fails without one): `.Project` in templates, namespaces (`<project>-<env>`), the `codex-k8s.io/project` label, the default workspace claim `<project>-workspace`.',
      ),
    envFiles: textList
      .optional()
      .describe(
        'dotenv files of variables, relative to the project root, read as written (not templated). Lowest precedence: the process environment, the var-file and inline vars beat them.',
      ),
    codex: CodexConfig.optional().describe("The agent: model, prompt texts, Codex's config.toml and MCP servers."),
    namespace: z
      .strictObject({
        patterns: textMap
          .optional()
          .describe(
            'Namespace of each environment, a Go template such as `{{ .Project }}-ai-{{ .Slot }}`; an environment whose pattern uses `.Slot` is slotted. Without a pattern: `ai` is `{{ .Project }}-dev-{{ .Slot }}`, `ai-repair` is `{{ .Project }}-ai-staging`, any other `<project>-<env>`.',
          ),
      })
      .optional()
      .describe('Namespaces of the environments.'),
    maxSlots: int
      .optional()
      .describe('Most slots at a time; 0 is no limit. Left out: `CODEXCTL_DEV_SLOTS_MAX`, else no limit.'),
    registry: text.optional().describe('Accepted for compatibility; nothing reads it (images name their registry).'),
    images: z
      .record(z.string(), ImageSpec)
      .optional()
      .describe('Images that images-build (and ensure-ready with `prepare-images`) mirrors or builds, by name.'),
    baseDomain: textMap
      .optional()
      .describe(
        'Domain of each environment: `.BaseDomain` in templates, the `url` output, links in the prompt and the status comment.',
      ),
    environments: z
      .record(z.string(), Environment)
      .optional()
      .describe('The environments, by name; an environment must be listed here to be used.'),
    infrastructure: z
      .array(InfraItem)
      .optional()
      .describe('Infra groups, applied in file order before the services, one kubectl call per group.'),
    services: z
      .array(Service)
      .optional()
      .describe('Services, applied in file order after the infra groups, one kubectl call per service.'),
    hooks: z
      .strictObject({
        beforeAll: z.array(HookStep).optional().describe('Steps run before the stack is applied.'),
        afterAll: z
          .array(HookStep)
          .optional()
          .describe('Steps run after the stack is applied and its afterApply steps ran, before the waits.'),
        beforeDestroy: z
          .array(HookStep)
          .optional()
          .describe("Steps run first when an environment is destroyed, before the items' own."),
        afterDestroy: z.array(HookStep).optional().describe('Steps run last when an environment is destroyed.'),
      })
      .optional()
      .describe('Hooks of the whole stack.'),
    storage: z
      .strictObject({
        workspace: PVCSpec.optional().describe('The workspace claim (`.Storage.Workspace`).'),
        data: PVCSpec.optional().describe('The data claim (`.Storage.Data`).'),
        registry: PVCSpec.optional().describe('The registry claim (`.Storage.Registry`).'),
      })
      .optional()
      .describe('Settings of the claims the manifests create, visible to templates as `.Storage`.'),
    state: z
      .strictObject({
        backend: text
          .optional()
          .meta({ description: 'Store of the slot records: `configmap`, the only one.', default: 'configmap' }),
        configmapNamespace: text
          .optional()
          .describe('Namespace of the slot records (ConfigMaps); required for slots, e.g. `codex-system`.'),
        configmapPrefix: text
          .optional()
          .meta({ description: 'Prefix of the record names: `<prefix><slot>`.', default: 'codex-env-' }),
      })
      .optional()
      .describe('Where slot records are kept.'),
    versions: textMap.optional().describe('Versions by name, for templates: `{{ index .Versions "web" }}`.'),
  });

  return {
    StackConfigSchema,
    Environment,
    ImageSpec,
    InfraItem,
    Service,
    Overlay,
    PVCMount,
    HostMount,
    HookStep,
    ItemHooks,
    MCPServer,
    PVCSpec,
  };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

/** The schema of services.yaml after templating. */
export function stackConfigSchema(): Schemas['StackConfigSchema'] {
  schemas ??= buildSchemas();
  return schemas.StackConfigSchema;
}

export type StackConfig = z.output<Schemas['StackConfigSchema']>;
export type CodexConfig = NonNullable<StackConfig['codex']>;
export type Environment = z.output<Schemas['Environment']>;
export type ImageSpec = z.output<Schemas['ImageSpec']>;
export type InfraItem = z.output<Schemas['InfraItem']>;
export type Service = z.output<Schemas['Service']>;
export type Overlay = z.output<Schemas['Overlay']>;
export type PVCMountSpec = z.output<Schemas['PVCMount']>;
export type HostMountSpec = z.output<Schemas['HostMount']>;
export type HookStep = z.output<Schemas['HookStep']>;
export type ItemHooks = z.output<Schemas['ItemHooks']>;
export type MCPServer = z.output<Schemas['MCPServer']>;
export type PVCSpec = z.output<Schemas['PVCSpec']>;
