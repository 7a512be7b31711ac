// The page's journal (internal/sdk/journal.go has the whole story): every
// call that makes a record is written to localStorage in the task it is
// made, before it is handed to the Go side, and removed once the Go side
// has answered for it. A tab closed in the same task, a reload, a crashed
// Worker or a slow start cannot lose it: whatever was not answered is
// handed over again by a restarted Worker or by the next page that loads,
// under the same record ids, and the Go side stores a journal entry once.
import { JOURNAL_TIME_DIGITS } from './constants.gen.js'

const US = '\u001f'

// entryKey returns a new entry key: the time in Unix ms, zero-padded, and
// a count of this page's keys, so that keys sort in the order they were
// made (a page's own keys never go back in time), then a random part.
let lastTime = 0
let count = 0
export function entryKey(now = Date.now()) {
  lastTime = Math.max(lastTime, Math.floor(now))
  const r = new Uint32Array(2)
  globalThis.crypto.getRandomValues(r)
  return String(lastTime).padStart(JOURNAL_TIME_DIGITS, '0') + '-' + (count++).toString(36).padStart(7, '0') + '-' +
    r[0].toString(36) + r[1].toString(36)
}

// recordKey returns a new record id (a UUID v4), the command_id of the
// record a call makes.
export function recordKey() {
  if (globalThis.crypto.randomUUID) return globalThis.crypto.randomUUID()
  const b = new Uint8Array(16) // not a secure context: build one
  globalThis.crypto.getRandomValues(b)
  b[6] = (b[6] & 0x0f) | 0x40
  b[8] = (b[8] & 0x3f) | 0x80
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

// storage returns localStorage, or null where it cannot be used (a
// sandboxed frame, storage disabled, a Worker).
export function storage() {
  try {
    const s = globalThis.localStorage
    return s && typeof s.setItem === 'function' ? s : null
  } catch {
    return null
  }
}

// An entry is {key, defaults, calls: [{method, time, key, args}]}: calls of
// one task that the Go side stores in one go, and the default properties
// they were made under (a later page replays them with those).
export class Journal {
  constructor(db, store = storage()) {
    this.prefix = `exponea:j:${db}:`
    this.store = store
  }

  // write stores an entry; false means it could not be (the storage is full
  // or unavailable) and the calls have only the page's memory.
  write(e) {
    if (!this.store) return false
    let text = `1\n${e.defaults}`
    for (const c of e.calls) text += `\n${c.method}${US}${c.time}${US}${c.key}${US}${c.args}`
    try {
      this.store.setItem(this.prefix + e.key, text)
      return true
    } catch {
      return false
    }
  }

  // has says whether the entry of key is still in the storage: an entry
  // this page wrote and another page has since removed was handed over and
  // answered for there. Unreadable storage counts as has.
  has(key) {
    try {
      return !this.store || this.store.getItem(this.prefix + key) !== null
    } catch {
      return true
    }
  }

  remove(key) {
    try {
      this.store?.removeItem(this.prefix + key)
    } catch {}
  }

  // entries returns every entry of this database in the storage (written by
  // any page of the origin), oldest first. Unreadable ones are removed.
  entries() {
    if (!this.store) return []
    const out = []
    let keys
    try {
      keys = Object.keys(this.store).filter((k) => k.startsWith(this.prefix))
    } catch {
      return []
    }
    for (const k of keys.sort()) {
      const text = this.store.getItem(k)
      const e = text === null ? null : parse(k.slice(this.prefix.length), text)
      if (e) out.push(e)
      else this.remove(k.slice(this.prefix.length))
    }
    return out
  }
}

function parse(key, text) {
  const lines = text.split('\n')
  if (lines[0] !== '1' || lines.length < 2) return null
  const calls = []
  for (const line of lines.slice(2)) {
    const f = line.split(US)
    if (f.length < 4) return null
    calls.push({ method: f[0], time: Number(f[1]), key: f[2], args: f.slice(3).join(US) })
  }
  return { key, defaults: lines[1], calls }
}
