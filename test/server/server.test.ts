import { describe, expect, inject, it } from 'vitest'

describe('the test server', () => {
  it('answers the page from 127.0.0.1 with CORS headers', async () => {
    const origin = inject('testServer')
    expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const response = await fetch(`${origin}/ping`)
    expect(await response.text()).toBe('pong')
  })
})
