/** The words of the status comment, per language. */
export type Lang = 'en' | 'ru';

export const LANGS: readonly Lang[] = ['en', 'ru'];

export function parseLang(value: string | undefined, field = 'lang'): Lang {
  const v = (value ?? '').trim().toLowerCase() || 'en';
  if ((LANGS as readonly string[]).includes(v)) return v as Lang;
  throw new Error(`${field}: "${value}" is not a supported language; use one of ${LANGS.join(', ')}`);
}

export interface StatusWords {
  title: string;
  slot: string;
  namespace: string;
  env: string;
  links: string;
  phase: string;
  agent: string;
  tokens: string;
  result: string;
  pr: string;
  failed: string;
  run: string;
  updated: string;
  phases: Record<string, string>;
}

export const WORDS: Record<Lang, StatusWords> = {
  en: {
    title: 'codex-k8s environment',
    slot: 'Slot',
    namespace: 'Namespace',
    env: 'Environment',
    links: 'Links',
    phase: 'State',
    agent: 'Agent',
    tokens: 'Tokens (in / out)',
    result: 'Result',
    pr: 'Pull request',
    failed: 'Failed',
    run: 'workflow run',
    updated: 'Updated',
    phases: {
      'slot-claimed': 'slot claimed',
      'environment-ready': 'environment ready',
      'environment-not-ready': 'environment applied, not ready',
      'agent-running': 'agent running',
      'agent-finished': 'agent finished',
      'pr-updated': 'pull request updated',
      released: 'slot released',
      failed: 'failed',
      running: 'working',
      changed: 'finished with changes',
      'no-change': 'finished without changes',
    },
  },
  ru: {
    title: 'Окружение codex-k8s',
    slot: 'Слот',
    namespace: 'Пространство имён',
    env: 'Окружение',
    links: 'Ссылки',
    phase: 'Состояние',
    agent: 'Агент',
    tokens: 'Токены (вход / выход)',
    result: 'Результат',
    pr: 'Pull request',
    failed: 'Ошибка',
    run: 'запуск workflow',
    updated: 'Обновлено',
    phases: {
      'slot-claimed': 'слот занят',
      'environment-ready': 'окружение готово',
      'environment-not-ready': 'окружение применено, но не готово',
      'agent-running': 'агент работает',
      'agent-finished': 'агент закончил',
      'pr-updated': 'pull request обновлён',
      released: 'слот освобождён',
      failed: 'ошибка',
      running: 'работает',
      changed: 'закончил, есть изменения',
      'no-change': 'закончил без изменений',
    },
  },
};
