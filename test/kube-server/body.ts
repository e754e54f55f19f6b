/** Request bodies: JSON, YAML (apply patches) and Kubernetes protobuf. */
import type { IncomingMessage } from 'node:http';
import { badRequest, unsupportedMediaType } from './errors.js';
import { decodeKubeProtobuf } from './protobuf.js';

export async function readBody(req: IncomingMessage, limit = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

let yamlParse: ((text: string) => unknown) | undefined;

async function parseYaml(text: string): Promise<unknown> {
  if (!yamlParse) {
    // `yaml` is a dependency of @codex-k8s/core (hoisted); kubectl itself always sends JSON.
    const mod = (await import('yaml')) as { parse: (t: string) => unknown };
    yamlParse = mod.parse;
  }
  return yamlParse(text);
}

export const mediaType = (contentType: string | undefined): string =>
  (contentType ?? '').split(';')[0].trim().toLowerCase();

/** Decodes a body by its content type; empty bodies give undefined. */
export async function decodeBody(buf: Buffer, contentType: string | undefined): Promise<unknown> {
  if (buf.length === 0) return undefined;
  const type = mediaType(contentType);
  if (type === 'application/vnd.kubernetes.protobuf') return decodeKubeProtobuf(buf);
  const text = buf.toString('utf8');
  if (type.includes('yaml')) {
    try {
      return JSON.parse(text);
    } catch {
      try {
        return await parseYaml(text);
      } catch (err) {
        throw badRequest(`error decoding YAML: ${(err as Error).message}`);
      }
    }
  }
  if (type === '' || type.includes('json')) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw badRequest(`error decoding JSON: ${(err as Error).message}`);
    }
  }
  throw unsupportedMediaType(`the body of the request was in an unknown format - ${type}`);
}
