import { memoryStore } from 'spindle'
import { storeContract } from './store-contract'

storeContract('memoryStore', async () => ({ store: memoryStore(), cleanup: async () => {} }))
