import { assign, setup } from 'xstate'

/**
 * Seed 000's state machine (states, transitions by event, a handler per event that updates the
 * context) as an XState machine, as the README's "State machines" section shows it: an order
 * that is paid (in parts), shipped and delivered, or cancelled before it ships.
 */
export const orderMachine = setup({
  types: {
    context: {} as { orderId: string; total: number; paid: number; carrier?: string; history: string[] },
    input: {} as { orderId: string; total: number },
    events: {} as
      | { type: 'pay'; amount: number }
      | { type: 'ship'; carrier: string }
      | { type: 'deliver' }
      | { type: 'cancel'; reason?: string },
  },
  actions: {
    // The handlers: what a state does with an event it takes.
    pay: assign({
      paid: ({ context, event }) => context.paid + (event.type === 'pay' ? event.amount : 0),
    }),
    ship: assign({ carrier: ({ event }) => (event.type === 'ship' ? event.carrier : undefined) }),
    note: assign({ history: ({ context, event }) => [...context.history, event.type] }),
  },
  guards: {
    paysInFull: ({ context, event }) => event.type === 'pay' && context.paid + event.amount >= context.total,
  },
}).createMachine({
  id: 'order',
  initial: 'pending',
  context: ({ input }) => ({ orderId: input.orderId, total: input.total, paid: 0, history: [] }),
  states: {
    pending: {
      on: {
        pay: [
          { guard: 'paysInFull', target: 'paid', actions: ['pay', 'note'] },
          { actions: ['pay', 'note'] },
        ],
        cancel: { target: 'cancelled', actions: 'note' },
      },
    },
    paid: {
      on: {
        ship: { target: 'shipped', actions: ['ship', 'note'] },
        cancel: { target: 'cancelled', actions: 'note' },
      },
    },
    shipped: { on: { deliver: { target: 'delivered', actions: 'note' } } },
    delivered: {
      type: 'final',
      output: ({ context }) => ({ outcome: 'delivered', carrier: context.carrier, history: context.history }),
    },
    cancelled: {
      type: 'final',
      output: ({ context }) => ({ outcome: 'cancelled', refund: context.paid, history: context.history }),
    },
  },
})
