/**
 * The single truth rule for every `when` (infra, services, hook steps): an empty expression or a blank result is
 * true; `false`, `0`, `no`, `off` in any case are false; anything else is true.
 */
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

export function isWhenTrue(rendered: string | undefined): boolean {
  if (rendered === undefined) return true;
  const v = rendered.trim().toLowerCase();
  if (v === '') return true;
  return !FALSE_WORDS.has(v);
}
