/** `page`/`per_page` and the `link` header octokit.paginate follows (`rel="next"`, absolute URLs). */

export interface Page<T> {
  items: T[];
  /** Value for the `link` header; undefined when everything fits on one page. */
  link?: string;
}

/** GitHub's defaults: 30 per page, at most 100; a page past the end is empty. */
export function paginate<T>(all: T[], requestUrl: URL, baseUrl: string): Page<T> {
  const perPage = Math.min(100, Math.max(1, Number(requestUrl.searchParams.get('per_page')) || 30));
  const page = Math.max(1, Number(requestUrl.searchParams.get('page')) || 1);
  const last = Math.max(1, Math.ceil(all.length / perPage));
  const items = all.slice((page - 1) * perPage, page * perPage);
  if (last === 1) return { items };
  const at = (n: number): string => {
    const u = new URL(`${baseUrl}${requestUrl.pathname}${requestUrl.search}`);
    u.searchParams.set('per_page', String(perPage));
    u.searchParams.set('page', String(n));
    return u.toString();
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`<${at(Math.min(page - 1, last))}>; rel="prev"`);
  if (page < last) rels.push(`<${at(page + 1)}>; rel="next"`);
  if (page < last) rels.push(`<${at(last)}>; rel="last"`);
  if (page > 1) rels.push(`<${at(1)}>; rel="first"`);
  return { items, link: rels.join(', ') };
}
