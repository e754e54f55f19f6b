import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { renderTemplate, type LoadedStack } from '../config/load.js';
import { UserError } from '../util/errors.js';

export type KubeObject = Record<string, any> & { apiVersion?: string; kind?: string; metadata?: Record<string, any> };

export interface ManifestDocument {
  object: KubeObject;
  /** The manifest path as written in services.yaml. */
  file: string;
  /** 1-based position of the document in its file. */
  index: number;
  line: number;
}

/** Renders a manifest file as a template and splits it into Kubernetes objects (empty documents dropped). */
export function loadManifest(stack: LoadedStack, manifestPath: string): ManifestDocument[] {
  const rel = manifestPath.trim();
  const abs = path.resolve(stack.projectRoot, rel);
  const shown = path.relative(process.cwd(), abs) || rel;
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new UserError(`${shown}: cannot read manifest (${why}); fix the path "${rel}" in ${stack.displayFile}`, shown);
  }
  const rendered = renderTemplate(shown, text, stack.funcs, stack.context, shown);
  const lines = new LineCounter();
  const docs = parseAllDocuments(rendered, { lineCounter: lines, uniqueKeys: true, merge: true, prettyErrors: false });
  if (!Array.isArray(docs)) return [];
  const out: ManifestDocument[] = [];
  docs.forEach((doc, i) => {
    const err = doc.errors[0];
    if (err) {
      const { line, col } = lines.linePos(err.pos[0]);
      const srcLine = rendered.split('\n')[line - 1] ?? '';
      throw new UserError(
        `${shown}:${line}:${col}: invalid YAML after templating: ${err.message.split('\n')[0]}\n  ${line} | ${srcLine}`,
        shown,
        line,
        col,
      );
    }
    const value = doc.toJS({ maxAliasCount: 1000 });
    const line = doc.contents?.range ? lines.linePos(doc.contents.range[0]).line : 1;
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new UserError(
        `${shown}:${line}: document ${i + 1} is ${Array.isArray(value) ? 'a list' : 'a plain value'}, expected a Kubernetes object (a mapping with apiVersion, kind, metadata)`,
        shown,
        line,
      );
    }
    out.push({ object: value as KubeObject, file: shown, index: i + 1, line });
  });
  return out;
}
