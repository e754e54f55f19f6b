import { UserError } from '../util/errors.js';
import { LANGS, type Lang } from '../github/index.js';

export const PROMPT_KINDS = [
  'plan_issue',
  'dev_issue',
  'plan_review',
  'dev_review',
  'repair_issue',
  'repair_review',
] as const;
export type PromptKind = (typeof PROMPT_KINDS)[number];

/** The predecessor's names of the repair kinds, still accepted. */
export const PROMPT_KIND_ALIASES: Readonly<Record<string, PromptKind>> = {
  'ai-repair_issue': 'repair_issue',
  'ai-repair_review': 'repair_review',
};

export const PROMPT_LANGS: readonly Lang[] = LANGS;

/** A kind as given by a user (input, flag, CODEXCTL_KIND), or a UserError listing the valid ones. */
export function parsePromptKind(value: string): PromptKind {
  const v = value.trim().toLowerCase();
  if ((PROMPT_KINDS as readonly string[]).includes(v)) return v as PromptKind;
  if (Object.hasOwn(PROMPT_KIND_ALIASES, v)) return PROMPT_KIND_ALIASES[v];
  throw new UserError(
    `kind: "${value}" is not a prompt kind; use one of ${PROMPT_KINDS.join(', ')} ` +
      `(or the predecessor's ${Object.keys(PROMPT_KIND_ALIASES).join(', ')})`,
  );
}

/** A prompt language, or a UserError listing the valid ones. Empty means `en`. */
export function parsePromptLang(value: string | undefined): Lang {
  const v = (value ?? '').trim().toLowerCase() || 'en';
  if ((PROMPT_LANGS as readonly string[]).includes(v)) return v as Lang;
  throw new UserError(`lang: "${value}" is not a prompt language; use one of ${PROMPT_LANGS.join(', ')}`);
}
