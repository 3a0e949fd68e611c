import { describe, expect, it } from 'vitest'
import { allowEntryProblem, originAllowed } from '../../src/actions/http-origins'

describe('the http allow-list', () => {
  const allow = ['https://api.example.com', 'https://*.shop.test', 'http://127.0.0.1:8080']

  it.each([
    ['https://api.example.com', true],
    ['http://api.example.com', false],
    ['https://api.example.com:8443', false],
    ['https://eu.shop.test', true],
    ['https://a.b.shop.test', true],
    ['https://shop.test', false],
    ['https://evilshop.test', false],
    ['http://eu.shop.test', false],
    ['http://127.0.0.1:8080', true],
    ['http://127.0.0.1:8081', false],
    ['not a url', false],
  ])('%s allowed: %s', (origin, allowed) => {
    expect(originAllowed(allow, origin)).toBe(allowed)
  })

  it('accepts origins and subdomain patterns as entries', () => {
    for (const entry of [...allow, 'http://localhost:3000', 'https://*.example.com:8443']) {
      expect(allowEntryProblem(entry)).toBeUndefined()
    }
  })

  it.each([
    ['https://api.example.com/', 'write "https://api.example.com"'],
    ['https://API.example.com', 'write "https://api.example.com"'],
    ['https://api.example.com/v1', 'write "https://api.example.com"'],
    ['ftp://files.example.com', 'not an http(s) origin'],
    ['api.example.com', 'not an http(s) origin'],
    ['https://a.*.com', 'only stand for the subdomains'],
    ['*', 'not an http(s) origin'],
    ['', 'not an origin'],
    [42, 'not an origin'],
  ])('refuses %s: %s', (entry, says) => {
    expect(allowEntryProblem(entry)).toContain(says)
  })
})
