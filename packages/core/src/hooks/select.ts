import { isWhenTrue } from '../config/when.js';
import type { ItemHooks } from '../config/schema.js';
import { makeSelector, type StackFilters } from '../render/filters.js';
import type { HookItem, HookStack, ItemHookPoint } from './types.js';

/**
 * The items whose hooks run: enabled (their `when` is true) and selected by the filters, the same rule the
 * renderer uses, so an item's hooks run exactly when its manifests are applied. (The predecessor ran the hooks of
 * every infra item whatever its `when` and the filters.)
 */
export function selectHookItems(stack: HookStack, filters: StackFilters = {}): HookItem[] {
  const infra = stack.config.infrastructure ?? [];
  const services = stack.config.services ?? [];
  const select = makeSelector(
    filters,
    infra.map((i) => i.name),
    services.map((s) => s.name),
  );
  const enabled = (when: string | undefined, path: string) =>
    isWhenTrue(when === undefined ? undefined : stack.renderField(path, when));
  return [
    ...infra.flatMap((item, i): HookItem[] =>
      select.infra(item.name) && enabled(item.when, `infrastructure[${i}].when`)
        ? [{ type: 'infra', name: item.name }]
        : [],
    ),
    ...services.flatMap((svc, i): HookItem[] =>
      select.service(svc.name) && enabled(svc.when, `services[${i}].when`) ? [{ type: 'service', name: svc.name }] : [],
    ),
  ];
}

/** The items of a rendered stack's groups (they are exactly the enabled and selected ones). */
export function hookItemsOf(groups: readonly { type: 'infra' | 'service'; name: string }[]): HookItem[] {
  return groups.map((g) => ({ type: g.type, name: g.name }));
}

/** An item's definition and its index in services.yaml. */
export function findItem(stack: HookStack, item: HookItem): { index: number; hooks?: ItemHooks } | undefined {
  const list = item.type === 'infra' ? (stack.config.infrastructure ?? []) : (stack.config.services ?? []);
  const index = list.findIndex((x) => x.name === item.name);
  return index < 0 ? undefined : { index, hooks: list[index].hooks };
}

export function itemPath(item: HookItem, index: number, point: ItemHookPoint): string {
  return `${item.type === 'infra' ? 'infrastructure' : 'services'}[${index}].hooks.${point}`;
}
