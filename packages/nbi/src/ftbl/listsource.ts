// Where ftbl's list comes from (-bl): a file, read again at each reload, or an http(s) URL, downloaded
// again; and how it is named in messages and alerts (a URL without credentials or query string).

export type ListSource =
  | { readonly kind: 'file'; readonly path: string; readonly display: string }
  | { readonly kind: 'url'; readonly url: URL; readonly display: string };

/** The URL as messages and alerts show it: user name, password and query (which may hold an API key) left out. */
export function displayUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}${url.search === '' ? '' : '?...'}`;
}
