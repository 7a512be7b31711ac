// No IndexedDB at all (?prelude=undefined-idb).
Object.defineProperty(window, 'indexedDB', { value: undefined, configurable: true })
