import { describe, expect, it } from '@jest/globals';
import {
  describeHolder,
  formatTimestamp,
  lastActivity,
  labelValue,
  parseRecord,
  parseTimestamp,
  recordManifest,
  slotFromName,
} from './record.js';
import { DEFAULT_CONFIGMAP_PREFIX, systemClock } from './types.js';

describe('slot records', () => {
  it('formats createdAt like the predecessor: RFC 3339 UTC, whole seconds', () => {
    expect(formatTimestamp(Date.parse('2026-02-06T10:00:00.987Z'))).toBe('2026-02-06T10:00:00Z');
  });

  it('builds the claim manifest: predecessor data keys plus updatedAt, our labels, pending', () => {
    const cm = recordManifest(
      3,
      { env: 'ai', namespace: 'shop-dev-3', owner: '123', issue: 7 },
      {
        stateNamespace: 'state',
        prefix: 'codex-env-',
        now: Date.parse('2026-02-06T10:00:00Z'),
      },
    );
    expect(cm).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'codex-env-3',
        namespace: 'state',
        labels: {
          'codex-k8s.io/slot-state': 'true',
          'codex-k8s.io/env': 'ai',
          'codex-k8s.io/slot': '3',
          'codex-k8s.io/issue': '7',
          'codex-k8s.io/pr': '0',
        },
        annotations: { 'codex-k8s.io/claim': 'pending' },
      },
      data: {
        slot: '3',
        env: 'ai',
        namespace: 'shop-dev-3',
        owner: '123',
        issue: '7',
        pr: '0',
        createdAt: '2026-02-06T10:00:00Z',
        updatedAt: '2026-02-06T10:00:00Z',
      },
    });
  });

  it("parses the predecessor's record: bad numbers are 0, bad timestamps ignored, slot from the name", () => {
    const r = parseRecord(
      {
        metadata: { name: 'codex-env-12', resourceVersion: '5' },
        data: {
          slot: '12',
          env: ' ai ',
          namespace: 'p-dev-12',
          owner: 'manual',
          issue: 'x',
          pr: ' 4 ',
          createdAt: 'yesterday',
        },
      },
      'codex-env-',
    );
    expect(r).toEqual({
      slot: 12,
      env: 'ai',
      namespace: 'p-dev-12',
      owner: 'manual',
      issue: 0,
      pr: 4,
      createdAt: '',
      updatedAt: '',
      appliedDigest: '',
      appliedAt: '',
      name: 'codex-env-12',
      resourceVersion: '5',
      labelled: false,
      pending: false,
    });
    expect(lastActivity(r!)).toBeUndefined();
  });

  it('reads the applied stack digest only when it is one, with its time', () => {
    const digest = `sha256:${'a1'.repeat(32)}`;
    const of = (data: Record<string, string>) =>
      parseRecord({ metadata: { name: 'codex-env-2' }, data }, 'codex-env-')!;
    expect(of({ appliedDigest: digest, appliedAt: '2026-02-06T10:00:00Z' })).toMatchObject({
      appliedDigest: digest,
      appliedAt: '2026-02-06T10:00:00Z',
    });
    expect(of({ appliedDigest: 'sha256:abc', appliedAt: 'later' })).toMatchObject({ appliedDigest: '', appliedAt: '' });
  });

  it('ignores ConfigMaps that are not records of the prefix', () => {
    expect(parseRecord({ metadata: { name: 'kube-root-ca.crt' } }, 'codex-env-')).toBeUndefined();
    expect(slotFromName('codex-env-0', 'codex-env-')).toBeUndefined();
    expect(slotFromName('codex-env-07', 'codex-env-')).toBeUndefined();
    expect(slotFromName('codex-env-1a', 'codex-env-')).toBeUndefined();
    expect(slotFromName('other-3', 'codex-env-')).toBeUndefined();
    expect(slotFromName('codex-env-42', 'codex-env-')).toBe(42);
  });

  it('a record is labelled only when its labels match its data', () => {
    const cm = recordManifest(
      1,
      { env: 'ai', namespace: 'n', owner: 'o', issue: 7 },
      { stateNamespace: 's', prefix: 'p-', now: 0 },
    );
    expect(parseRecord(cm, 'p-')!.labelled).toBe(true);
    cm.data!.issue = '8'; // changed by the predecessor's `manage-env set`
    expect(parseRecord(cm, 'p-')!.labelled).toBe(false);
  });

  it('timestamps, label values, holders', () => {
    expect(parseTimestamp('2026-02-06T10:00:00Z')).toBe(Date.parse('2026-02-06T10:00:00Z'));
    expect(parseTimestamp('2026-02-06T10:00:00+02:00')).toBe(Date.parse('2026-02-06T08:00:00Z'));
    expect(parseTimestamp('2026-02-06')).toBeUndefined();
    expect(labelValue('staging_repair')).toBe('staging_repair');
    expect(labelValue('-a b/c-')).toBe('a-b-c');
    expect(describeHolder({ issue: 7, pr: 0 })).toBe('issue #7');
    expect(describeHolder({ issue: 7, pr: 9 })).toBe('issue #7 / PR #9');
    expect(describeHolder({ issue: 0, pr: 0 })).toBe('no issue or PR');
  });
});

describe('slot records: reading what is stored', () => {
  const at = '2026-02-06T10:00:00Z';
  const later = '2026-02-06T11:30:00Z';

  it('reads valid timestamps, trims every value, and takes a claim annotation as pending', () => {
    const r = parseRecord(
      {
        metadata: {
          name: 'codex-env-3',
          resourceVersion: '9',
          annotations: { 'codex-k8s.io/claim': 'pending' },
        },
        data: {
          env: 'ai',
          namespace: ' shop-dev-3 ',
          owner: ' 123 ',
          issue: '1234',
          pr: '56',
          createdAt: ` ${at} `,
          updatedAt: ` ${later} `,
          appliedDigest: ` sha256:${'b2'.repeat(32)} `,
          appliedAt: ` ${later} `,
        },
      },
      'codex-env-',
    );
    expect(r).toMatchObject({
      namespace: 'shop-dev-3',
      owner: '123',
      issue: 1234,
      pr: 56,
      createdAt: at,
      updatedAt: later,
      appliedDigest: `sha256:${'b2'.repeat(32)}`,
      appliedAt: later,
      pending: true,
    });
    expect(lastActivity(r!)).toBe(Date.parse(later));
    // Without a heartbeat, the claim time.
    expect(lastActivity({ ...r!, updatedAt: '' })).toBe(Date.parse(at));
  });

  it('a record with nothing in it reads as empty values, not as made-up ones', () => {
    expect(parseRecord({ metadata: { name: 'codex-env-4' } }, 'codex-env-')).toEqual({
      slot: 4,
      env: '',
      namespace: '',
      owner: '',
      issue: 0,
      pr: 0,
      createdAt: '',
      updatedAt: '',
      appliedDigest: '',
      appliedAt: '',
      name: 'codex-env-4',
      resourceVersion: '',
      labelled: false,
      pending: false,
    });
  });

  it('a timestamp only where one was written; a bad updatedAt is dropped, a good createdAt kept', () => {
    const r = parseRecord(
      { metadata: { name: 'codex-env-5' }, data: { createdAt: at, updatedAt: 'soon' } },
      'codex-env-',
    )!;
    expect([r.createdAt, r.updatedAt]).toEqual([at, '']);
  });

  it('counts are whole numbers or 0', () => {
    const of = (issue: string) => parseRecord({ metadata: { name: 'codex-env-6' }, data: { issue } }, 'codex-env-')!;
    expect(of('12').issue).toBe(12);
    expect(of('12abc').issue).toBe(0);
    expect(of('abc12').issue).toBe(0);
    expect(of('1.5').issue).toBe(0);
  });

  it('a name of the same length as a record name, without the prefix, is no record', () => {
    expect(slotFromName('codex-xyz-12', 'codex-env-')).toBeUndefined();
    expect(parseRecord({ metadata: { name: 'abcdefghij3' } }, 'codex-env-')).toBeUndefined();
  });

  it('the digest and timestamps must be whole values', () => {
    const digest = `sha256:${'a1'.repeat(32)}`;
    const of = (appliedDigest: string) =>
      parseRecord({ metadata: { name: 'codex-env-2' }, data: { appliedDigest } }, 'codex-env-')!.appliedDigest;
    expect(of(`${digest}0`)).toBe('');
    expect(of(`x${digest}`)).toBe('');
    expect(parseTimestamp('2026-02-06T10:00:00.123Z')).toBe(Date.parse('2026-02-06T10:00:00.123Z'));
    expect(parseTimestamp('2026-02-06T10:00:00.123456789+01:00')).toBe(Date.parse('2026-02-06T09:00:00.123Z'));
    expect(parseTimestamp('on 2026-02-06T10:00:00Z')).toBeUndefined();
    expect(parseTimestamp('2026-02-06T10:00:00Z or so')).toBeUndefined();
  });

  it('label values: at most 63 characters, alphanumeric at both ends', () => {
    expect(labelValue('x'.repeat(70))).toBe('x'.repeat(63));
    expect(labelValue(`${'x'.repeat(61)}--y`)).toBe('x'.repeat(61));
    expect(labelValue('--ai__')).toBe('ai');
  });

  it("the predecessor's record prefix and the real clock", async () => {
    expect(DEFAULT_CONFIGMAP_PREFIX).toBe('codex-env-');
    const before = Date.now();
    await systemClock.sleep(20);
    expect(systemClock.now() - before).toBeGreaterThanOrEqual(15);
  });
});
