/** What a secret's name may be: an identifier of up to 100 characters (`.` and `-` allowed after the first). */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/

const OPEN = '\uE000'
const CLOSE = '\uE001'
/**
 * Random per realm: only references made by this realm's `secret()` carry it, so a reference
 * typed into a run's input (or copied from anywhere) is never revealed.
 */
const NONCE = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) =>
  b.toString(16).padStart(2, '0'),
).join('')
const REFERENCE = /\uE000secret:([0-9a-f]{32}):([A-Za-z0-9_.-]{1,100})\uE001/g

/**
 * What `secret('name')` evaluates to: an opaque reference that names the secret, never its
 * value. Only `BuiltinSecrets.reveal`, in the built-ins that consume secrets, turns it into one.
 */
export function secretReference(name: string): string {
  return `${OPEN}secret:${NONCE}:${name}${CLOSE}`
}

/** Whether `text` may hold a reference (a cheap test before any replacing). */
export function mayHoldReference(text: string): boolean {
  return text.includes(OPEN)
}

/** The names `text` refers to through this realm's references. */
export function referencedNames(text: string): string[] {
  const names: string[] = []
  for (const [, nonce, name] of text.matchAll(REFERENCE)) if (nonce === NONCE) names.push(name!)
  return names
}

/**
 * `text` with each reference replaced by `replace(name, own)` (kept when it gives `undefined`);
 * `own` is false for a reference this realm did not make.
 */
export function replaceReferences(
  text: string,
  replace: (name: string, own: boolean) => string | undefined,
): string {
  if (!mayHoldReference(text)) return text
  return text.replace(
    REFERENCE,
    (whole, nonce: string, name: string) => replace(name, nonce === NONCE) ?? whole,
  )
}
