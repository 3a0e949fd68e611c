import { describe, expect, it } from 'vitest'
import { SecretVault } from '../../src/host/secret-vault'

describe('SecretVault.redact', () => {
  it('blanks out a secret whole when another secret is its prefix', () => {
    const vault = new SecretVault({ short: 'abcd', long: 'abcd-XYZW-9876' })
    const redacted = vault.redact('token=abcd-XYZW-9876 and abcd')
    expect(redacted).toBe('token=[secret:long] and [secret:short]')
    expect(redacted).not.toContain('XYZW-9876')
  })

  it('blanks out a secret whole when another secret is inside it', () => {
    const vault = new SecretVault({ inner: 'XYZW', outer: 'abcd-XYZW-9876' })
    expect(vault.redact('abcd-XYZW-9876')).toBe('[secret:outer]')
  })

  it('blanks out the form a query string or a form body gives a value (a space as "+")', () => {
    const value = 'my long secret & more/ü'
    const vault = new SecretVault({ k: value })
    const form = new URLSearchParams({ k: value }).toString().slice('k='.length)
    expect(form).toContain('+')
    expect(vault.redact(`https://a.test/p?k=${form}`)).toBe('https://a.test/p?k=[secret:k]')
  })
})
