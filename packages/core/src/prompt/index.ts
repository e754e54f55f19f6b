export {
  PROMPT_KINDS,
  PROMPT_KIND_ALIASES,
  PROMPT_LANGS,
  parsePromptKind,
  parsePromptLang,
  type PromptKind,
} from './kinds.js';
export {
  promptData,
  renderPrompt,
  type PromptContext,
  type PromptLink,
  type PromptService,
  type PromptTemplate,
  type RenderPromptOptions,
} from './render.js';
