/**
 * AppCache's NETWORK and FALLBACK namespaces: a URL matches a pattern when
 * it starts with it; `*` inside a pattern stands for any run of characters,
 * and a lone `*` matches every URL.
 */
export class UrlPattern {
  private readonly regex: RegExp

  /** @param pattern - an absolute URL prefix (resolved already), possibly with `*`, or `*`. */
  constructor(readonly pattern: string) {
    const body = pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')
    this.regex = new RegExp(`^${body}`)
  }

  matches(url: string): boolean {
    return this.regex.test(url)
  }
}
