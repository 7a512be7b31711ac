// Turning the page's values into JSON, with errors that name the field.
//
// JSON.stringify is native and fast, but it silently drops functions and
// symbols, turns NaN and Infinity into null, and throws a generic error on
// BigInt and cycles. A replacer catches those on the fast path; only when one
// trips does the slow walk below run, to say exactly which field and why.

const BAD = Symbol('bad value')

function replacer(_key, v) {
  const t = typeof v
  if (t === 'function' || t === 'symbol' || t === 'bigint' ||
      (t === 'number' && (v !== v || v === Infinity || v === -Infinity))) {
    throw BAD
  }
  return v
}

// problem returns [ErrorClass, message] for a value that has no faithful JSON
// form, or null.
function problem(v) {
  switch (typeof v) {
    case 'function': return [TypeError, 'is a function, which cannot be tracked']
    case 'symbol': return [TypeError, 'is a symbol, which cannot be tracked']
    case 'bigint': return [TypeError, 'is a BigInt, which has no JSON form; pass a number or a string']
    case 'number':
      if (!Number.isFinite(v)) return [RangeError, `is ${v}, which has no JSON form`]
  }
  return null
}

function join(path, key) {
  if (typeof key === 'number') return `${path}[${key}]`
  return path ? `${path}.${key}` : key
}

// locate walks value depth-first and returns the first problem with its path.
function locate(value, path, ancestors) {
  const p = problem(value)
  if (p) return { cls: p[0], path, msg: p[1] }
  if (value === null || typeof value !== 'object') return null
  if (typeof value.toJSON === 'function') return locate(value.toJSON(), path, ancestors)
  if (ancestors.has(value)) return { cls: TypeError, path, msg: 'refers back to itself (a circular reference)' }
  ancestors.add(value)
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const found = locate(value[i], join(path, i), ancestors)
        if (found) return found
      }
    } else {
      for (const k of Object.keys(value)) {
        const found = locate(value[k], join(path, k), ancestors)
        if (found) return found
      }
    }
  } finally {
    ancestors.delete(value)
  }
  return null
}

// toJSON serializes value for method; root names the argument in messages
// ("event", "config"). It throws a TypeError or RangeError naming the field.
export function toJSON(method, root, value) {
  try {
    const text = JSON.stringify(value, replacer)
    if (text === undefined) throw BAD
    return text
  } catch (e) {
    const found = locate(value, '', new Set())
    if (found) throw new found.cls(`${method}: ${found.path || root} ${found.msg}`)
    throw new TypeError(`${method}: ${root} cannot be serialized (${e && e.message ? e.message : e})`)
  }
}

// requireObject throws unless value is a plain object (not null, not an array).
export function requireObject(method, field, value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${method}: ${field} must be an object`)
  }
}
