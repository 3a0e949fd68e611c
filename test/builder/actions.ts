import { defineAction } from 'spindle'

/** A standard schema of one type, for typed stand-in actions (any value passes). */
function schema<T>() {
  return {
    '~standard': {
      version: 1 as const,
      vendor: 'test',
      validate: (value: unknown) => ({ value: value as T }),
    },
  }
}

export interface Order {
  id: string
  total: number
  lines: { sku: string; qty: number }[]
}

/** The app's actions the builder tests type against. */
export const actions = {
  'fetch-order': defineAction({
    input: schema<{ orderId: string }>(),
    output: schema<Order>(),
    run: ({ orderId }) => ({ id: orderId, total: 1200, lines: [{ sku: 'a', qty: 2 }] }),
  }),
  'price-line': defineAction({
    input: schema<{ sku: string; qty: number }>(),
    output: schema<number>(),
    run: ({ qty }) => qty * 10,
  }),
  notify: (params: { to: string; text: string }) => ({ sent: params.to }),
}
