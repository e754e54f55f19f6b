/**
 * Decodes `application/vnd.kubernetes.protobuf` request bodies (what imperative `kubectl create <generator>`,
 * `kubectl run`, `kubectl auth can-i` and `kubectl create token` send): the 4-byte `k8s\0` magic, a
 * runtime.Unknown {typeMeta, raw}, and `raw` decoded with the field table in protobuf-schema.ts into the same
 * JSON the object would have had (empty strings, zero times and empty messages left out, like Go's omitempty).
 */
import { ApiError, unsupportedMediaType } from './errors.js';
import { KINDS, MESSAGES } from './protobuf-schema.js';
import type { JsonObject } from './types.js';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface FieldDef {
  name: string;
  repeated: boolean;
  /** `s`, `b`, `?`, `i`, `d`, `f`, or a message name. */
  type: string;
  map: boolean;
}

const parsed = new Map<string, Map<number, FieldDef>>();

function schema(message: string): Map<number, FieldDef> {
  let s = parsed.get(message);
  if (s) return s;
  const spec = MESSAGES[message];
  if (spec === undefined) throw new Error(`no protobuf schema for ${message}`);
  s = new Map();
  for (const part of spec.split(' ').filter(Boolean)) {
    const m = /^(\w+)=(\d+)(\*?)(\{?)(.+)$/.exec(part);
    if (!m) throw new Error(`bad schema entry ${part}`);
    const type = m[5].startsWith('.') ? m[5].slice(1) : m[5];
    s.set(Number(m[2]), { name: m[1], repeated: m[3] === '*', map: m[4] === '{', type });
  }
  parsed.set(message, s);
  return s;
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
    }
  }

  bytes(): Buffer {
    const len = Number(this.varint());
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}

/** Iterates the fields of one message: [field number, wire type, reader positioned at the value]. */
function* fields(buf: Buffer): Generator<[number, number, Reader]> {
  const r = new Reader(buf);
  while (!r.done) {
    const tag = Number(r.varint());
    yield [tag >>> 3, tag & 7, r];
  }
}

function toInt(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

function timeString(msg: JsonObject, micro: boolean): string | undefined {
  const seconds = Number(msg.seconds ?? 0);
  const nanos = Number(msg.nanos ?? 0);
  if (seconds <= -62135596800 || (seconds === 0 && nanos === 0 && !micro && msg.seconds === undefined))
    return undefined;
  const iso = new Date(seconds * 1000).toISOString();
  return micro
    ? iso.replace(/\.\d{3}Z$/, `.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`)
    : iso.replace(/\.\d{3}Z$/, 'Z');
}

/** Messages with a JSON form different from their fields. */
function special(type: string, m: JsonObject): unknown {
  switch (type) {
    case 'apis.meta.v1.Time':
      return timeString(m, false);
    case 'apis.meta.v1.MicroTime':
      return timeString(m, true);
    case 'apis.meta.v1.Duration':
      return `${Number(m.duration ?? 0) / 1e9}s`;
    case 'util.intstr.IntOrString':
      return Number(m.type ?? 0) === 1 ? (m.strVal ?? '') : (m.intVal ?? 0);
    case 'api.resource.Quantity':
    case 'api.resource.QuantityValue':
      return m.string ?? '0';
    case 'runtime.RawExtension':
    case 'apis.meta.v1.FieldsV1': {
      const raw = (m.raw ?? m.Raw) as Buffer | undefined;
      if (!raw || raw.length === 0) return undefined;
      return JSON.parse(raw.toString('utf8'));
    }
    default:
      if (/\.v1\.ExtraValue$/.test(type)) return m.items ?? [];
      return m;
  }
}

const KEEP_EMPTY = /VolumeSource$|^core\.v1\.EmptyDir/;

function scalar(type: string, wire: number, r: Reader): unknown {
  switch (type) {
    case 's':
      return r.bytes().toString('utf8');
    case 'b':
      return Buffer.from(r.bytes());
    case '?':
      return r.varint() !== 0n;
    case 'i':
      return toInt(r.varint());
    case 'd': {
      const v = r.buf.readDoubleLE(r.pos);
      r.pos += 8;
      return v;
    }
    case 'f': {
      const v = r.buf.readFloatLE(r.pos);
      r.pos += 4;
      return v;
    }
    default:
      void wire;
      throw new Error(`unknown scalar ${type}`);
  }
}

const isScalar = (t: string): boolean => t.length === 1;

/** A field value as it should appear in JSON (bytes as base64 for bytes fields and binary maps). */
function jsonValue(type: string, v: unknown): unknown {
  if (Buffer.isBuffer(v) && type === 'b') return v.toString('base64');
  return v;
}

function decodeMessage(type: string, buf: Buffer, raw = false): JsonObject {
  const s = schema(type);
  const out: JsonObject = {};
  for (const [no, wire, r] of fields(buf)) {
    const f = s.get(no);
    if (!f) {
      r.skip(wire);
      continue;
    }
    if (f.map) {
      const entry = r.bytes();
      let key = '';
      let value: unknown;
      for (const [eno, ewire, er] of fields(entry)) {
        if (eno === 1) key = er.bytes().toString('utf8');
        else if (eno === 2) value = isScalar(f.type) ? scalar(f.type, ewire, er) : decodeField(f.type, er.bytes());
        else er.skip(ewire);
      }
      out[f.name] ??= {};
      out[f.name][key] = value === undefined ? (isScalar(f.type) ? '' : {}) : jsonValue(f.type, value);
      continue;
    }
    if (isScalar(f.type)) {
      if (f.repeated && wire === 2 && f.type !== 's' && f.type !== 'b') {
        const packed = new Reader(r.bytes());
        out[f.name] ??= [];
        while (!packed.done) out[f.name].push(scalar(f.type, 0, packed));
        continue;
      }
      const v = scalar(f.type, wire, r);
      const jv = raw ? v : jsonValue(f.type, v);
      if (f.repeated) (out[f.name] ??= []).push(jv);
      else out[f.name] = jv;
      continue;
    }
    const v = decodeField(f.type, r.bytes());
    if (f.repeated) (out[f.name] ??= []).push(v === undefined ? {} : v);
    else if (v !== undefined) out[f.name] = v;
  }
  return out;
}

function decodeField(type: string, buf: Buffer): unknown {
  const special_ = type === 'runtime.RawExtension' || type === 'apis.meta.v1.FieldsV1';
  return prune(type, special(type, decodeMessage(type, buf, special_)));
}

/** Drops what Go's JSON encoder would leave out: empty strings and empty messages (except volume sources). */
function prune(type: string, v: unknown): unknown {
  if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v) || Buffer.isBuffer(v)) return v;
  const o = v as JsonObject;
  for (const k of Object.keys(o)) if (o[k] === '' || o[k] === undefined) delete o[k];
  if (type === 'apis.meta.v1.ObjectMeta' && o.generation === 0) delete o.generation;
  if (Object.keys(o).length === 0 && !KEEP_EMPTY.test(type)) return undefined;
  return o;
}

/** The protobuf message name for an apiVersion/kind (`apps/v1`, `Deployment` -> `apps.v1.Deployment`). */
export function messageFor(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const pkg = group ? group.split('.')[0] : 'core';
  return `${pkg}.${version}.${kind}`;
}

export function decodeKubeProtobuf(buf: Buffer): JsonObject {
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC))
    throw new ApiError(400, 'BadRequest', 'protobuf body without the k8s\\0 prefix');
  const unknown = buf.subarray(4);
  let apiVersion = '';
  let kind = '';
  let raw = Buffer.alloc(0);
  for (const [no, wire, r] of fields(unknown)) {
    if (no === 1) {
      for (const [tno, twire, tr] of fields(r.bytes())) {
        if (tno === 1) apiVersion = tr.bytes().toString('utf8');
        else if (tno === 2) kind = tr.bytes().toString('utf8');
        else tr.skip(twire);
      }
    } else if (no === 2) raw = Buffer.from(r.bytes());
    else r.skip(wire);
  }
  const message = messageFor(apiVersion, kind);
  if (!KINDS.includes(message) && !MESSAGES[message])
    throw unsupportedMediaType(
      `kube test server: cannot decode protobuf for ${apiVersion}, Kind=${kind}; send JSON (kubectl create -f -) instead`,
    );
  const obj = (decodeField(message, raw) ?? {}) as JsonObject;
  return { apiVersion, kind, ...obj };
}
