import { describe, expect, it } from 'vitest'
import { recordTemplate } from '../../src/core/record-template'

describe('recordTemplate', () => {
  it('makes a new plain object each call, with the keys in the given order, values null', () => {
    const make = recordTemplate<number>(['b', 'a', 'c-1', 'x y'])
    const first = make()
    const second = make()
    expect(Object.keys(first)).toEqual(['b', 'a', 'c-1', 'x y'])
    expect(Object.values(first)).toEqual([null, null, null, null])
    expect(Object.getPrototypeOf(first)).toBe(Object.prototype)
    first.a = 1
    expect(second.a).toBeNull()
    expect(make().a).toBeNull()
  })

  it('keeps keys that need escaping in JSON', () => {
    const keys = ['quote"d', 'back\\slash', 'line\nbreak', '€']
    expect(Object.keys(recordTemplate(keys)())).toEqual(keys)
  })

  it('makes an empty object for no keys', () => {
    expect(recordTemplate([])()).toEqual({})
  })
})
