/*
 * The allow-list of the `http` action: which origins a task may call. An entry is an exact origin
 * (`https://api.example.com`, `http://127.0.0.1:8080`) or a subdomain pattern
 * (`https://*.example.com`: any host under example.com, not example.com itself), with the scheme
 * and port it names.
 */

/**
 * What is wrong with an allow-list entry (a sentence that says what to write instead), or
 * undefined when it is a good one.
 */
export function allowEntryProblem(entry: unknown): string | undefined {
  if (typeof entry !== 'string' || entry === '') {
    return `${JSON.stringify(entry) ?? String(entry)} is not an origin; write one like "https://api.example.com"`
  }
  const wildcard = entry.includes('*')
  const parsed = parseUrl(wildcard ? entry.replace('://*.', '://wildcard.') : entry)
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    return `"${entry}" is not an http(s) origin; write one like "https://api.example.com" or "https://*.example.com"`
  }
  const origin = wildcard ? parsed.origin.replace('://wildcard.', '://*.') : parsed.origin
  if (origin !== entry || (wildcard && !entry.includes('://*.'))) {
    return wildcard && !entry.includes('://*.')
      ? `"${entry}": "*" may only stand for the subdomains, as in "https://*.example.com"`
      : `"${entry}" is not an origin (scheme, host and port only, in lower case); write "${origin}"`
  }
  return undefined
}

/** True when `origin` (a URL's `origin`) is one of `allow` or under one of its `*.` patterns. */
export function originAllowed(allow: readonly string[], origin: string): boolean {
  const url = parseUrl(origin)
  if (!url) return false
  return allow.some((entry) => {
    if (!entry.includes('://*.')) return entry === origin
    const pattern = parseUrl(entry.replace('://*.', '://wildcard.'))
    if (!pattern || pattern.protocol !== url.protocol || pattern.port !== url.port) return false
    const suffix = pattern.hostname.slice('wildcard'.length)
    return url.hostname.endsWith(suffix) && url.hostname.length > suffix.length
  })
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text)
  } catch {
    // Not a URL: the caller says what an entry or a url must look like.
    return undefined
  }
}
