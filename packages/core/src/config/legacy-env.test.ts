import { describe, expect, it } from '@jest/globals';
import { legacyValue, legacyVars, readLegacyEnv } from './legacy-env.js';

describe('CODEXCTL_* fallbacks', () => {
  it('CODEXCTL_VARS is comma-separated KEY=VALUE entries, trimmed, empty ones skipped', () => {
    expect(legacyVars({ CODEXCTL_VARS: ' A=1, B=two ,,C= ' })).toEqual(['A=1', 'B=two', 'C=']);
    expect(legacyVars({ CODEXCTL_VARS: '   ' })).toEqual([]);
    expect(legacyVars({})).toEqual([]);
  });

  it('a blank variable counts as unset; values are trimmed', () => {
    expect(legacyValue('CODEXCTL_ENV', { CODEXCTL_ENV: '  ' })).toBeUndefined();
    expect(legacyValue('CODEXCTL_ENV', { CODEXCTL_ENV: ' ai ' })).toBe('ai');
  });

  it('reads every shared option from its variable', () => {
    expect(
      readLegacyEnv({
        CODEXCTL_CONFIG: 'deploy/services.yaml',
        CODEXCTL_ENV: 'ai',
        CODEXCTL_SLOT: '3',
        CODEXCTL_NAMESPACE: 'ns',
        CODEXCTL_ISSUE_NUMBER: '7',
        CODEXCTL_PR_NUMBER: '9',
        CODEXCTL_VARS: 'A=1,B=2',
        CODEXCTL_VAR_FILE: 'vars.env',
      }),
    ).toEqual({
      config: 'deploy/services.yaml',
      env: 'ai',
      slot: '3',
      namespace: 'ns',
      issue: '7',
      pr: '9',
      vars: ['A=1', 'B=2'],
      varFile: 'vars.env',
    });
  });
});
