import type { Engine } from 'spindle'
import { el } from './element'
import { errorText } from './format'
import { opensOffline } from './offline'

function megabytes(bytes: number | undefined): string {
  return bytes === undefined ? 'unknown' : `${(bytes / 1_048_576).toFixed(1)} MB`
}

/**
 * Storage and connectivity: the origin's usage and quota, whether its storage is persisted (with
 * a button that asks the browser to persist it), the records per store, and whether the page is
 * online, and whether the studio opens offline (its service worker keeps the built studio's
 * files; runs need no network: everything runs in the tab).
 */
export class StoragePanel {
  readonly #engine: Engine
  readonly #facts: HTMLElement
  readonly #persist: HTMLButtonElement
  readonly #status: HTMLElement
  readonly #online: HTMLElement

  constructor(engine: Engine, root: HTMLElement) {
    this.#engine = engine
    this.#facts = el('dl', { class: 'storage-facts', 'data-testid': 'storage-facts' })
    this.#persist = el('button', { type: 'button', 'data-testid': 'persist' }, 'Keep storage (persist)')
    this.#status = el('p', { class: 'call-status', role: 'status', 'data-testid': 'storage-status' })
    this.#online = el('p', { class: 'online', 'data-testid': 'online', role: 'status' })
    this.#persist.addEventListener('click', () => {
      this.#engine
        .requestPersistence()
        .then((granted) => {
          this.#status.textContent = granted
            ? 'The browser keeps this storage.'
            : 'The browser did not grant persistence.'
          return this.refresh()
        })
        .catch((error: unknown) => {
          this.#status.textContent = errorText(error)
        })
    })
    const online = () => {
      const kept = opensOffline()
      const shell = kept ? 'opens offline' : 'not kept for offline use yet'
      this.#online.textContent = `${navigator.onLine ? 'Online' : 'Offline: runs go on in this tab'} · ${shell}`
      this.#online.dataset.online = String(navigator.onLine)
      this.#online.dataset.opensOffline = String(kept)
    }
    addEventListener('online', online)
    addEventListener('offline', online)
    if ('serviceWorker' in navigator) navigator.serviceWorker.addEventListener('controllerchange', online)
    online()
    root.replaceChildren(this.#online, this.#facts, this.#persist, this.#status)
  }

  async refresh(): Promise<void> {
    const info = await this.#engine.storage()
    const records = Object.entries(info.stores)
      .filter(([, store]) => store.records > 0)
      .map(([name, store]) => `${name} ${store.records}`)
      .join(', ')
    const row = (term: string, value: string, testid: string) => [
      el('dt', {}, term),
      el('dd', { 'data-testid': testid }, value),
    ]
    this.#facts.replaceChildren(
      ...row('Used', megabytes(info.usage), 'storage-usage'),
      ...row('Quota', megabytes(info.quota), 'storage-quota'),
      ...row(
        'Persisted',
        info.persisted === undefined ? 'unknown' : info.persisted ? 'yes' : 'no',
        'storage-persisted',
      ),
      ...row('Records', records || 'none', 'storage-records'),
    )
    this.#persist.disabled = info.persisted === true
  }
}
