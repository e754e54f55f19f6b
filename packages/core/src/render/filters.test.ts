import { describe, expect, it } from '@jest/globals';
import { makeSelector } from './filters.js';

const infra = ['namespace', 'Data'];
const services = ['web', 'worker'];
const pick = (f: Parameters<typeof makeSelector>[0]) => {
  const s = makeSelector(f, infra, services);
  return { infra: infra.filter(s.infra), services: services.filter(s.service) };
};

describe('stack filters', () => {
  it('keeps everything without filters', () => {
    expect(pick({})).toEqual({ infra, services });
  });
  it('only-services selects those services and no infra', () => {
    expect(pick({ onlyServices: ['WEB'] })).toEqual({ infra: [], services: ['web'] });
  });
  it('only-infra selects that infra and no services', () => {
    expect(pick({ onlyInfra: ['data'] })).toEqual({ infra: ['Data'], services: [] });
  });
  it('only-* of both kinds select the union', () => {
    expect(pick({ onlyInfra: ['data'], onlyServices: ['worker'] })).toEqual({ infra: ['Data'], services: ['worker'] });
  });
  it('skip-* removes only what it names', () => {
    expect(pick({ skipServices: ['web'] })).toEqual({ infra, services: ['worker'] });
    expect(pick({ skipInfra: ['namespace'] })).toEqual({ infra: ['Data'], services });
  });
  it('accepts comma lists and rejects unknown names', () => {
    expect(pick({ onlyServices: ['web, worker'] })).toEqual({ infra: [], services });
    expect(() => pick({ skipInfra: ['nope'] })).toThrow(/skip-infra: unknown infrastructure "nope"/);
  });
});
