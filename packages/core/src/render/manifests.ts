import path from 'node:path';
import { renderTemplate, type LoadedStack } from '../config/load.js';
import { UserError } from '../util/errors.js';
import { AliasExpansionError, ManifestYamlError, readYamlStream } from '../util/yaml-io.js';
import { readInputFile } from '../util/input-file.js';
import { resolveInProject } from '../util/project-path.js';

import type { KubeObject } from '../objects/object.js';

export type { KubeObject };

export interface ManifestDocument {
  object: KubeObject;
  /** The manifest path as written in services.yaml. */
  file: string;
  /** 1-based position of the document in its file. */
  index: number;
}

/** Renders a manifest file as a template and splits it into Kubernetes objects (empty documents dropped). */
export function loadManifest(stack: LoadedStack, manifestPath: string): ManifestDocument[] {
  const rel = manifestPath.trim();
  const abs = resolveInProject(stack.projectRoot, rel, `manifest "${rel}"`, stack.displayFile);
  const shown = path.relative(process.cwd(), abs) || rel;
  let text: string;
  try {
    text = readInputFile(abs, shown);
  } catch (err) {
    if (err instanceof UserError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new UserError(
      `${shown}: cannot read manifest (${why}); fix the path "${rel}" in ${stack.displayFile}`,
      shown,
    );
  }
  const rendered = renderTemplate(shown, text, stack.funcs, stack.context, shown, { strict: stack.strict });
  let values: unknown[];
  try {
    values = readYamlStream(rendered, shown);
  } catch (err) {
    if (err instanceof AliasExpansionError) throw new UserError(`${shown}: ${err.message}`, shown);
    if (!(err instanceof ManifestYamlError)) throw err;
    throw new UserError(
      `${shown}:${err.line}:${err.col}: invalid YAML after templating: ${err.message}\n  ${err.line} | ${err.snippet}`,
      shown,
      err.line,
      err.col,
    );
  }
  const out: ManifestDocument[] = [];
  values.forEach((value, i) => {
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new UserError(
        `${shown}: document ${i + 1} is ${Array.isArray(value) ? 'a list' : 'a plain value'}, expected a Kubernetes object (a mapping with apiVersion, kind, metadata)`,
        shown,
      );
    }
    out.push({ object: value as KubeObject, file: shown, index: i + 1 });
  });
  return out;
}
