// IndexedDB refuses to open, as in a browser that blocks it (?prelude=no-idb).
Object.defineProperty(IDBFactory.prototype, 'open', {
  configurable: true,
  value() { throw new DOMException('The user denied permission to access the database.', 'SecurityError') },
})
