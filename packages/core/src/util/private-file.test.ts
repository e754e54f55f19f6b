import { afterAll, describe, expect, it } from '@jest/globals';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { UserError } from './errors.js';
import { writeNewPrivateFile, writeUserPrivateFile } from './private-file.js';

const dir = mkdtempSync(join(tmpdir(), 'private-file-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mode = (file: string) => statSync(file).mode & 0o777;

describe('files holding rendered manifests', () => {
  it('a path we choose is created 0600', () => {
    const file = join(dir, 'fresh.yaml');
    expect(writeNewPrivateFile(file, 'kind: Secret\n')).toBe(file);
    expect(mode(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('kind: Secret\n');
  });

  it('a link planted at a path we choose is not followed: the file goes into a fresh private directory', () => {
    const target = join(dir, 'victim.txt');
    writeFileSync(target, 'original\n', { mode: 0o644 });
    const planted = join(dir, 'planted.yaml');
    symlinkSync(target, planted);
    const written = writeNewPrivateFile(planted, 'data: secret\n');
    expect(written).not.toBe(planted);
    expect(written.endsWith('/planted.yaml')).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('original\n');
    expect(lstatSync(planted).isSymbolicLink()).toBe(true);
    expect(readFileSync(written, 'utf8')).toBe('data: secret\n');
    expect(mode(written)).toBe(0o600);
    expect(mode(dirname(written))).toBe(0o700);
  });

  it('an existing file at a path we choose is left alone as well', () => {
    const file = join(dir, 'taken.yaml');
    writeFileSync(file, 'someone else\n');
    const written = writeNewPrivateFile(file, 'ours\n');
    expect(written).not.toBe(file);
    expect(readFileSync(file, 'utf8')).toBe('someone else\n');
    expect(readFileSync(written, 'utf8')).toBe('ours\n');
  });

  it('a path the user gave is replaced and made 0600; a link there is refused', () => {
    const file = join(dir, 'out.yaml');
    writeFileSync(file, 'old\n', { mode: 0o644 });
    expect(writeUserPrivateFile(file, 'new\n')).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe('new\n');
    expect(mode(file)).toBe(0o600);

    const target = join(dir, 'target.txt');
    writeFileSync(target, 'untouched\n');
    const link = join(dir, 'link.yaml');
    symlinkSync(target, link);
    expect(() => writeUserPrivateFile(link, 'secret\n')).toThrow(UserError);
    expect(() => writeUserPrivateFile(link, 'secret\n')).toThrow(/link\.yaml is a symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe('untouched\n');
    expect(existsSync(link)).toBe(true);
  });
});
