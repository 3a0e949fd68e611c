import { formatPath, type PathSegment } from './issue-path'

/**
 * Where `secret('name')` may appear: the params of the built-ins that consume secrets, which
 * reveal the references just before they use them (`http` on its URL, query and headers).
 * Everywhere else a reference would be data the run keeps, so it is refused at register time.
 */
export const SECRET_PARAMS: Readonly<Record<string, readonly string[]>> = {
  http: ['url', 'query', 'headers'],
}

/** Whether param `key` of a task of `action` may hold `secret()` references. */
export function takesSecrets(action: unknown, key: PathSegment | undefined): boolean {
  if (typeof action !== 'string' || !Object.hasOwn(SECRET_PARAMS, action)) return false
  return typeof key === 'string' && SECRET_PARAMS[action]!.includes(key)
}

/** Why `secret()` is refused at `at`, and where it may be used instead. */
export function secretMisplaced(at: readonly PathSegment[], names: readonly string[]): string {
  const places = Object.entries(SECRET_PARAMS)
    .map(([action, keys]) => `${keys.map((k) => `params.${k}`).join(', ')} of an "${action}" task`)
    .join('; ')
  return `${formatPath(at)} uses secret(${names.map((n) => JSON.stringify(n)).join(', ')}), but secrets may be used only in ${places}, whose action reveals them just before the call. when, forEach, output, cache.key and other params would keep them in the run; an action of your own reads a secret with ctx.secrets.get(name).`
}
