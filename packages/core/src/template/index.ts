/**
 * A Go 1.19 compatible text/template engine: same syntax, same output and the same error
 * messages (with a column added), over a value model described in values.ts.
 */
export { parseTemplate, Template, type ParseOptions } from './template.js';
export { TemplateError } from './errors.js';
export { builtinFuncs, builtinFuncNames } from './builtins.js';
export { predecessorFuncs, predecessorFuncNames, type PredecessorContext } from './functions.js';
export { defineFunc, type FuncMap, type FuncSpec, type GoType, type TemplateFunc } from './funcs.js';
export {
  GoFloat,
  GoStruct,
  GoTime,
  GoNilPointer,
  GoUint,
  GoComplex,
  NO_VALUE,
  nilPointer,
  stringSlice,
  isStringSlice,
  stringMap,
  isStringMap,
  fromJSON,
  isTrue,
  typeName,
} from './values.js';
export { formatValue, sprintf, sprint, sprintln } from './fmt.js';
export { goStringToBuffer, bufferToGoString } from './unicode.js';
