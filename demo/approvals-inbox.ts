import type { ApprovalItem, Engine } from 'spindle'
import { approvalCard } from './approval-card'
import { el } from './element'

/**
 * The open approvals of every run, live (`approvals$`): each with its title, run, level and
 * approvers, a form rendered from its JSON Schema, a comment, and Approve / Reject as the
 * principal chosen above the list. A refused decision shows its typed error.
 */
export class ApprovalsInbox {
  readonly #engine: Engine
  readonly #list: HTMLElement
  readonly #principal: HTMLInputElement

  /** `count` hears how many approvals are open whenever that changes (the studio's navigation shows it). */
  constructor(
    engine: Engine,
    root: HTMLElement,
    report: (error: unknown) => void,
    count: (open: number) => void,
  ) {
    this.#engine = engine
    this.#principal = el('input', {
      id: 'inbox-principal',
      type: 'text',
      value: 'alice',
      'data-testid': 'inbox-principal',
      spellcheck: 'false',
    })
    this.#list = el('ul', { class: 'inbox', 'data-testid': 'inbox', 'aria-live': 'polite' })
    root.replaceChildren(
      el('div', { class: 'field' }, el('label', { for: 'inbox-principal' }, 'Decide as'), this.#principal),
      this.#list,
    )
    // The inbox lives as long as the page: its subscription is never ended.
    engine.approvals$({ status: 'open' }).subscribe({
      next: (items) => {
        count(items.length)
        this.#render(items)
      },
      error: report,
    })
  }

  #render(items: ApprovalItem[]): void {
    if (items.length === 0) {
      this.#list.replaceChildren(el('li', { class: 'empty' }, 'No approval is waiting.'))
      return
    }
    this.#list.replaceChildren(
      ...items.map((item) => approvalCard(this.#engine, item, () => this.#principal.value.trim(), 'inbox')),
    )
  }
}
