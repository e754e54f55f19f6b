import {
  boolInput,
  dryRunInput,
  intInput,
  listInput,
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
  };
}
