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
