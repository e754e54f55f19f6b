import { GoStruct, GoTime, nilPointer, stringMap, stringSlice } from '../template/index.js';
import type { CodexConfig, MCPServer, PVCSpec, StackConfig } from './schema.js';
import type { Variables } from './vars.js';

/**
 * The data root `.` of every project template. It behaves as the predecessor's Go struct: field names are
 * case-sensitive and an unknown field is an error naming it, so a typo never renders as an empty string. The maps
 * are Go `map[string]string`: `index .Versions "x"` of a missing key is "", `.Versions.x` prints `<no value>`.
 */
export interface ContextFields {
  env: string;
  namespace: string;
  project: string;
  projectRoot: string;
  slot: number;
  now: Date;
  variables: Variables;
  versions: Record<string, string>;
  baseDomain: Record<string, string>;
  codex?: CodexConfig;
  storage?: StackConfig['storage'];
  /** Extra fields some templates get (prompt context): merged as-is. */
  extra?: Record<string, unknown>;
}

export function buildTemplateContext(f: ContextFields): GoStruct {
  return new GoStruct('config.TemplateContext', {
    Env: f.env,
    Namespace: f.namespace,
    Project: f.project,
    ProjectRoot: f.projectRoot,
    Slot: f.slot,
    Now: new GoTime(f.now),
    UserVars: stringMap({ ...f.variables.userVars }),
    Vars: stringMap({ ...f.variables.vars }),
    EnvMap: stringMap({ ...f.variables.envMap }),
    Versions: stringMap({ ...f.versions }),
    BaseDomain: stringMap({ ...f.baseDomain }),
    Codex: codexStruct(f.codex ?? {}),
    Storage: f.storage ? storageStruct(f.storage) : nilPointer('config.StorageConfig'),
    IssueComments: [],
    ReviewComments: [],
    ...f.extra,
  });
}

/** A Go `[]string` field: unset is a nil slice, which prints as `[]` and is false in `if`, like an empty one. */
function strs(list: string[] | undefined): unknown {
  return stringSlice(list ?? []);
}

function pvcStruct(spec: PVCSpec | undefined): unknown {
  if (!spec) return nilPointer('config.PVCSpec');
  return new GoStruct('config.PVCSpec', {
    Size: spec.size ?? '',
    StorageClass: spec.storageClass ?? '',
    AccessModes: strs(spec.accessModes),
  });
}

function storageStruct(s: NonNullable<StackConfig['storage']>): GoStruct {
  return new GoStruct('config.StorageConfig', {
    Workspace: pvcStruct(s.workspace),
    Data: pvcStruct(s.data),
    Registry: pvcStruct(s.registry),
  });
}

function mcpServerStruct(m: MCPServer): GoStruct {
  return new GoStruct('config.MCPServer', {
    Name: m.name,
    Type: m.type ?? '',
    Description: m.description ?? '',
    ToolTimeoutSec: m.tool_timeout_sec ?? 0,
    StartupTimeoutSec: m.startup_timeout_sec ?? 0,
    Command: m.command ?? '',
    Args: strs(m.args),
    Endpoint: m.endpoint ?? '',
    BearerTokenEnvVar: m.bearer_token_env_var ?? '',
    Tools: (m.tools ?? []).map(
      (t) => new GoStruct('config.MCPTool', { Name: t.name, Description: t.description ?? '' }),
    ),
  });
}

export function codexStruct(c: CodexConfig): GoStruct {
  return new GoStruct('config.CodexConfig', {
    ConfigTemplate: c.configTemplate ?? '',
    PromptLang: c.promptLang ?? '',
    Model: c.model ?? '',
    ModelReasoningEffort: c.modelReasoningEffort ?? '',
    Links: (c.links ?? []).map((l) => new GoStruct('config.CodexLink', { Title: l.title, Path: l.path })),
    ExtraTools: strs(c.extraTools),
    ProjectContext: c.projectContext ?? '',
    ServicesOverview: c.servicesOverview ?? '',
    Timeouts: new GoStruct('config.CodexTimeouts', {
      Exec: c.timeouts?.exec ?? '',
      Rollout: c.timeouts?.rollout ?? '',
      DeployWait: c.timeouts?.deployWait ?? '',
    }),
    ReviewMCPEnabled: c.reviewMCPEnabled ?? false,
    MCP: new GoStruct('config.CodexMCP', { Servers: (c.mcp?.servers ?? []).map(mcpServerStruct) }),
  });
}
