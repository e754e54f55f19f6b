import {
  boolInput,
  dryRunInput,
  intInput,
  kubectlVersionInput,
  listInput,
  optionalPositiveDurationInput,
  readStackInputs,
  stringInput,
  type StackInputs,
} from '@codex-k8s/core/action-kit';

/** Every input of the images-build action, read once and validated. */
export interface ImagesBuildInputs {
  stack: StackInputs;
  slot: number;
  images: string[];
  mirror: boolean;
  build: boolean;
  builder: string;
  force: boolean;
  parallel: number;
  insecureRegistries: string[];
  dryRun: boolean;
  /** Used by builder kaniko only. */
  kaniko: {
    image: string;
    timeoutMs?: number;
    registrySecret: string;
    source: string;
    codeRootBase: string;
    workspaceMount: string;
    workspacePvc: string;
    kubectlVersion?: string;
  };
}

export function readInputs(): ImagesBuildInputs {
  return {
    stack: readStackInputs('dev'),
    slot: intInput('slot', 0, 'CODEXCTL_SLOT'),
    images: listInput('images'),
    mirror: boolInput('mirror', true, 'CODEXCTL_MIRROR_IMAGES'),
    build: boolInput('build', true, 'CODEXCTL_BUILD_IMAGES'),
    builder: stringInput('builder', 'auto'),
    force: boolInput('force', false),
    parallel: intInput('parallel', 2, undefined, 1),
    insecureRegistries: listInput('insecure-registries'),
    dryRun: dryRunInput(),
    kaniko: {
      image: stringInput('kaniko-image', ''),
      timeoutMs: optionalPositiveDurationInput('kaniko-timeout'),
      registrySecret: stringInput('registry-secret', ''),
      source: stringInput('source', '.', 'CODEXCTL_SOURCE'),
      codeRootBase: stringInput('code-root-base', '', 'CODEXCTL_CODE_ROOT_BASE'),
      workspaceMount: stringInput('workspace-mount', '/workspace', 'CODEXCTL_WORKSPACE_MOUNT'),
      workspacePvc: stringInput('workspace-pvc', '', 'CODEXCTL_WORKSPACE_PVC'),
      kubectlVersion: kubectlVersionInput(),
    },
  };
}
