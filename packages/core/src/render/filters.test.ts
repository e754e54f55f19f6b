import { describe, expect, it } from '@jest/globals';
import { makeSelector, parseNameList } from './filters.js';

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
  it('reads one string or a list, ignores empty entries and blanks around names', () => {
    expect(parseNameList(' Web,\n worker ,, ')).toEqual(['web', 'worker']);
    expect(parseNameList(['a', 'B,c'])).toEqual(['a', 'b', 'c']);
    expect(parseNameList(undefined)).toEqual([]);
    expect(pick({ onlyServices: ['web,'] })).toEqual({ infra: [], services: ['web'] });
  });
  it('matches names defined with blanks around them', () => {
    const s = makeSelector({ onlyServices: ['web'], skipInfra: ['db'] }, [' db '], [' Web ']);
    expect([s.service(' Web '), s.infra(' db ')]).toEqual([true, false]);
  });
  it('names the flag, the kind of name and what is defined in the error', () => {
    expect(() => pick({ onlyInfra: ['x', 'y'] })).toThrow(
      'only-infra: unknown infrastructure "x", "y" (defined: namespace, data)',
    );
    expect(() => pick({ onlyServices: ['x'] })).toThrow('only-services: unknown service "x" (defined: web, worker)');
    expect(() => pick({ skipServices: ['x'] })).toThrow('skip-services: unknown service "x"');
    expect(() => makeSelector({ onlyServices: ['x'] }, [], [])).toThrow('(defined: none)');
  });
  it('accepts comma lists and rejects unknown names', () => {
    expect(pick({ onlyServices: ['web, worker'] })).toEqual({ infra: [], services });
    expect(() => pick({ skipInfra: ['nope'] })).toThrow(/skip-infra: unknown infrastructure "nope"/);
  });
});
