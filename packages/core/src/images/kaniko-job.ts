/*
 * The Kubernetes objects of one kaniko build (pure; kaniko.ts creates and watches them):
 * - a Job running the executor once (`backoffLimit: 0`: a failed build is reported, not retried), bounded by
 *   `activeDeadlineSeconds` and removed by Kubernetes `ttlSecondsAfterFinished` after it ends;
 * - the build context: the slot's sources on the workspace volume (`<code-root-base>/<slot>/src`, where the source
 *   sync put them), mounted read-only by subPath, so the build neither sees other slots nor changes the workspace;
 * - a Secret, only when the build has registry credentials or build arguments to pass: the docker config is mounted
 *   at /kaniko/.docker and the argument values reach the executor as environment variables read from the Secret
 *   (`--build-arg NAME` takes the value from there), so no value is in the Job's args or env;
 * - the pushed digest comes back as the termination message: `--digest-file` points at the container's
 *   terminationMessagePath, and on failure the kubelet puts the log tail there instead.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isAbsolute, posix, relative, sep } from 'node:path';
import type { KubeObject } from '../kube/index.js';
import { UserError } from '../util/errors.js';

/** kaniko's last upstream release, pinned by digest; the kaniko-image input (--kaniko-image) overrides it. */
export const DEFAULT_KANIKO_IMAGE =
  'gcr.io/kaniko-project/executor:v1.24.0@sha256:4e7a52dd1f14872430652bb3b027405b8dfd17c4538751c620ac005741ef9698';
export const DEFAULT_KANIKO_TIMEOUT_MS = 30 * 60_000;
/** How long Kubernetes keeps a finished build Job (one that failed is left for inspection) before deleting it. */
export const KANIKO_JOB_TTL_SECONDS = 24 * 3600;
export const KANIKO_CONTAINER = 'kaniko';
export const ROLE_IMAGE_BUILD = 'image-build';
export const LABEL_IMAGE = 'codex-k8s.io/image';
export const ANNOTATION_IMAGE_REF = 'codex-k8s.io/image-ref';
/**
 * Where the sources are mounted in the build pod: under /kaniko, which kaniko leaves out of the image it builds,
 * so the mount cannot clash with a path of the image (kaniko's own default context, /workspace, could).
 */
export const SOURCE_MOUNT = '/kaniko/source';
export const DOCKER_CONFIG_DIR = '/kaniko/.docker';
export const TERMINATION_LOG = '/dev/termination-log';
/** Key of the Secret's build argument values: `build-arg.NAME`. */
export const buildArgKey = (name: string): string => `build-arg.${name}`;

const PREFIX = 'kaniko-';

/**
 * `kaniko-<image>-<8 hex>`: the images entry's name made a DNS-1123 label, and a hash of the target and a per-build
 * nonce, so a rebuild never meets a Job of an earlier run. At most 62 characters, so the `job-name` label the Job
 * controller puts on its pods (at most 63) always fits.
 */
export function kanikoJobName(imageName: string, target: string, nonce = randomBytes(4).toString('hex')): string {
  const hash = createHash('sha256').update(`${target}\n${nonce}`).digest('hex').slice(0, 8);
  const base = imageName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 63 - PREFIX.length - 10)
    .replace(/-+$/, '');
  return `${PREFIX}${base ? `${base}-` : ''}${hash}`;
}

/**
 * Where a local path of the project lies in the build pod. `source` is the local directory whose copy the
 * workspace holds; a path outside it is not on the volume, which is said naming the field and the fix.
 */
export function podPath(source: string, local: string, field: string, where: string): string {
  const rel = relative(source, local);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw new UserError(
      `${where}: ${field}: ${local} is outside ${source}, the directory copied into the workspace that kaniko builds ` +
        'from; move it under that directory or set source (--source) to a directory that holds it',
    );
  return rel ? posix.join(SOURCE_MOUNT, rel.split(sep).join('/')) : SOURCE_MOUNT;
}

export interface KanikoJobSpec {
  /** Name of the Job, and of its Secret when it has one. */
  name: string;
  namespace: string;
  /** The kaniko executor image. */
  image: string;
  target: string;
  /** Pod paths (see podPath). */
  contextPath: string;
  dockerfilePath: string;
  /** Names only: the values are in the Secret. */
  buildArgNames: readonly string[];
  insecureRegistries: readonly string[];
  /** The workspace claim and the slot's source directory on it, relative to its root. */
  pvc: string;
  subPath: string;
  /** The Secret mounted at /kaniko/.docker and the key of its docker config. */
  dockerConfig?: { secret: string; key: string };
  timeoutSeconds: number;
  labels: Record<string, string>;
}

/** The executor's arguments: no value of a build argument and no credential is among them. */
export function kanikoArgs(s: KanikoJobSpec): string[] {
  return [
    `--context=dir://${s.contextPath}`,
    `--dockerfile=${s.dockerfilePath}`,
    `--destination=${s.target}`,
    `--digest-file=${TERMINATION_LOG}`,
    ...[...s.buildArgNames].sort().map((n) => `--build-arg=${n}`),
    // Per host: plain HTTP (or TLS without verification) only for the registries listed as insecure.
    ...s.insecureRegistries.flatMap((h) => [`--insecure-registry=${h}`, `--skip-tls-verify-registry=${h}`]),
  ];
}

export function kanikoJobManifest(s: KanikoJobSpec): KubeObject {
  const env = [
    { name: 'DOCKER_CONFIG', value: DOCKER_CONFIG_DIR },
    ...[...s.buildArgNames].sort().map((n) => ({
      name: n,
      valueFrom: { secretKeyRef: { name: s.name, key: buildArgKey(n) } },
    })),
  ];
  const volumeMounts: object[] = [{ name: 'source', mountPath: SOURCE_MOUNT, subPath: s.subPath, readOnly: true }];
  const volumes: object[] = [{ name: 'source', persistentVolumeClaim: { claimName: s.pvc, readOnly: true } }];
  if (s.dockerConfig) {
    volumeMounts.push({ name: 'docker-config', mountPath: DOCKER_CONFIG_DIR, readOnly: true });
    volumes.push({
      name: 'docker-config',
      secret: { secretName: s.dockerConfig.secret, items: [{ key: s.dockerConfig.key, path: 'config.json' }] },
    });
  }
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: s.name,
      namespace: s.namespace,
      labels: s.labels,
      annotations: { [ANNOTATION_IMAGE_REF]: s.target },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: s.timeoutSeconds,
      ttlSecondsAfterFinished: KANIKO_JOB_TTL_SECONDS,
      template: {
        metadata: { labels: s.labels },
        spec: {
          restartPolicy: 'Never',
          // kaniko talks to registries only, never to the Kubernetes API.
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          containers: [
            {
              name: KANIKO_CONTAINER,
              image: s.image,
              args: kanikoArgs(s),
              env,
              terminationMessagePath: TERMINATION_LOG,
              terminationMessagePolicy: 'FallbackToLogsOnError',
              volumeMounts,
            },
          ],
          volumes,
        },
      },
    },
  };
}

export interface KanikoSecretSpec {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** `config.json` for /kaniko/.docker: the destination registry's entry of the runner's auth file. */
  dockerConfig?: { key: string; auth: string };
  buildArgs: Record<string, string>;
}

export const DOCKER_CONFIG_KEY = 'config.json';

export function kanikoSecretManifest(s: KanikoSecretSpec): KubeObject {
  const b64 = (v: string) => Buffer.from(v, 'utf8').toString('base64');
  const data: Record<string, string> = {};
  if (s.dockerConfig)
    data[DOCKER_CONFIG_KEY] = b64(JSON.stringify({ auths: { [s.dockerConfig.key]: { auth: s.dockerConfig.auth } } }));
  for (const [k, v] of Object.entries(s.buildArgs)) data[buildArgKey(k)] = b64(v);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: s.name, namespace: s.namespace, labels: s.labels },
    type: 'Opaque',
    data,
  };
}

/** The digest kaniko wrote to the termination message, or undefined (an old kaniko, a message cut short). */
export function digestFromMessage(message: unknown): string | undefined {
  const text = typeof message === 'string' ? message.trim() : '';
  return /^sha256:[0-9a-f]{64}$/.test(text) ? text : undefined;
}
