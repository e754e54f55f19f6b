// Which paths of the source stay behind. The rules are the familiar subset of .gitignore, decided here rather than
// by tar's own `--exclude` so the file list (and its counts) is known before anything is packed:
//
// - a pattern is matched against the path relative to the source, with `/` separators;
// - without a `/` (other than a trailing one) it matches a file or directory of that name at any depth
//   (`node_modules`, `*.log`);
// - with a `/` it is anchored at the source root (`docs/build`, `/tmp`, `apps/*/out`);
// - a trailing `/` matches directories only; an excluded directory takes everything inside with it;
// - `*` is any run of characters except `/`, `?` one character except `/`, `**` any number of directories
//   (`**/fixtures/*.bin`, `build/**`).
// Negation (`!keep`) is not supported and is refused rather than silently ignored.
import { UserError } from '../util/errors.js';

/**
 * The predecessor copied all of these (bug #44): history, installed dependencies, downloaded tools and build output
 * make the copy slow and large, and the agent rebuilds them anyway.
 */
export const DEFAULT_EXCLUDES: readonly string[] = ['.git', 'node_modules', '.tools', 'dist', 'coverage'];

interface Rule {
  pattern: string;
  re: RegExp;
  anchored: boolean;
  dirOnly: boolean;
}

export function validateExcludes(patterns: readonly string[]): void {
  for (const p of patterns) compileRule(p);
}

function compileRule(pattern: string): Rule {
  if (typeof pattern !== 'string' || pattern.trim() === '')
    throw new UserError(`excludes: empty pattern ${JSON.stringify(pattern)}`);
  let p = pattern.trim();
  if (p.startsWith('!'))
    throw new UserError(
      `excludes: ${JSON.stringify(pattern)}: negated patterns are not supported; list only what to leave out`,
    );
  const dirOnly = p.endsWith('/');
  p = p.replace(/\/+$/, '');
  if (p.startsWith('./')) p = p.slice(2);
  const anchored = p.includes('/');
  p = p.replace(/^\/+/, '');
  if (p === '' || p.split('/').some((s) => s === '..' || s === '.'))
    throw new UserError(`excludes: ${JSON.stringify(pattern)} does not name a path inside the source`);
  return { pattern, re: globToRegExp(p), anchored, dirOnly };
}

/** A glob (no leading or trailing `/`) as an anchored regular expression over a relative path. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const startsSegment = i === 0 || glob[i - 1] === '/';
      const endsSegment = i + 2 === glob.length || glob[i + 2] === '/';
      if (startsSegment && endsSegment) {
        if (i + 2 === glob.length) {
          re += '.*'; // `a/**`: everything below a
          i += 1;
        } else {
          re += '(?:[^/]+/)*'; // `**/` : zero or more directories
          i += 2;
        }
        continue;
      }
      re += '[^/]*'; // `a**b` is just `a*b`
      i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export type ExcludeMatcher = (relPath: string, isDir: boolean) => boolean;

/** A predicate over source-relative paths (`a/b/c`, no leading `./`). */
export function compileExcludes(patterns: readonly string[]): ExcludeMatcher {
  const rules = patterns.map(compileRule);
  return (relPath, isDir) => {
    const base = relPath.slice(relPath.lastIndexOf('/') + 1);
    return rules.some((r) => (!r.dirOnly || isDir) && r.re.test(r.anchored ? relPath : base));
  };
}
