import { UserError } from '../util/errors.js';

export interface StackFilters {
  onlyServices?: readonly string[];
  skipServices?: readonly string[];
  onlyInfra?: readonly string[];
  skipInfra?: readonly string[];
}

/** `a, B ,c` → `['a','b','c']`: filter names compare case-insensitively. */
export function parseNameList(value: string | readonly string[] | undefined): string[] {
  const parts = typeof value === 'string' ? [value] : (value ?? []);
  return parts
    .flatMap((p) => p.split(/[,\n]/))
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
}

/**
 * Decides which infra groups and services render. `only-*` selects: once any `only-*` filter is given, the stack
 * holds exactly what the `only-*` filters name (so `--only-services api` renders the api service and no infra).
 * `skip-*` removes what it names and leaves everything else alone. Unknown names are errors, since a typo would
 * otherwise deploy more or less than intended.
 */
export function makeSelector(filters: StackFilters, infraNames: string[], serviceNames: string[]) {
  const onlyInfra = parseNameList(filters.onlyInfra);
  const onlyServices = parseNameList(filters.onlyServices);
  const skipInfra = parseNameList(filters.skipInfra);
  const skipServices = parseNameList(filters.skipServices);
  const known = (names: string[]) => new Set(names.map((n) => n.trim().toLowerCase()));
  const infraSet = known(infraNames);
  const serviceSet = known(serviceNames);
  const checkNames = (flag: string, list: string[], set: Set<string>, what: string) => {
    const bad = list.filter((n) => !set.has(n));
    if (bad.length) {
      throw new UserError(
        `${flag}: unknown ${what} ${bad.map((b) => `"${b}"`).join(', ')} (defined: ${[...set].join(', ') || 'none'})`,
      );
    }
  };
  checkNames('only-infra', onlyInfra, infraSet, 'infrastructure');
  checkNames('skip-infra', skipInfra, infraSet, 'infrastructure');
  checkNames('only-services', onlyServices, serviceSet, 'service');
  checkNames('skip-services', skipServices, serviceSet, 'service');
  const selecting = onlyInfra.length > 0 || onlyServices.length > 0;
  const pick = (name: string, only: string[], skip: string[]) => {
    const n = name.trim().toLowerCase();
    if (skip.includes(n)) return false;
    return selecting ? only.includes(n) : true;
  };
  return {
    infra: (name: string) => pick(name, onlyInfra, skipInfra),
    service: (name: string) => pick(name, onlyServices, skipServices),
  };
}
