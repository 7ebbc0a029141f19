/**
 * `url` as a request would send it (dot segments, also percent-encoded ones, resolved; scheme and
 * host in lower case), when it lies below `base`; undefined otherwise. A prefix check on the text
 * alone lets `<base>/../elsewhere` through, which the request then resolves outside the base.
 */
export function urlUnder(url: string, base: string): string | undefined {
  let target: URL;
  let root: URL;
  try {
    target = new URL(url);
    root = new URL(base.endsWith("/") ? base : `${base}/`);
  } catch {
    return undefined;
  }
  if (target.protocol !== root.protocol || target.host !== root.host || target.username || target.password) return undefined;
  return target.pathname.startsWith(root.pathname) ? target.href : undefined;
}

/** `url` as a request would send it, or undefined when it is no URL. */
export function normalizedUrl(url: string): string | undefined {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}
