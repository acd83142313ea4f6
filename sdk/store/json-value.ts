import { UnserializableError } from '../errors'

/**
 * Serialises a value to JSON text, refusing anything JSON would not bring
 * back unchanged.
 *
 * `JSON.stringify` is lossy without a word: a `Date` comes back as a
 * string, a `Map` as `{}`, `NaN` as `null`, a function disappears. A store
 * that promises to keep what it was given must refuse those up front, with
 * the path of the offending part, before anything is written.
 *
 * Accepted: plain objects (prototype `Object.prototype` or `null`), arrays,
 * strings, finite numbers, booleans, `null`. A property whose value is
 * `undefined` is dropped, as JSON does; `-0` is stored as `0`.
 *
 * @param rootPath - how the error names the value, e.g. `data` for `data.items[3].at`.
 * @throws {@link UnserializableError} with `path` such as `value.items[3].at`.
 */
export function toJsonText(value: unknown, rootPath = 'value'): string {
  if (value === undefined) throw new UnserializableError(rootPath, 'undefined cannot be stored; use remove() to delete a key')
  try {
    checkValue(value, rootPath, new Set())
  } catch (error) {
    // Very deep nesting overflows the stack; JSON.stringify would overflow too.
    if (error instanceof RangeError) throw new UnserializableError(rootPath, 'it is nested too deeply')
    throw error
  }
  return JSON.stringify(value)
}

function checkValue(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return
    case 'number':
      if (!Number.isFinite(value)) throw new UnserializableError(path, `${value} is not a JSON number (it would come back as null)`)
      return
    case 'undefined':
      throw new UnserializableError(path, 'undefined in an array would come back as null')
    case 'function':
      throw new UnserializableError(path, 'a function cannot be stored')
    case 'symbol':
      throw new UnserializableError(path, 'a symbol cannot be stored')
    case 'bigint':
      throw new UnserializableError(path, 'a BigInt cannot be stored; convert it to a string')
    case 'object':
      if (value === null) return
      checkObject(value, path, ancestors)
      return
    default:
      throw new UnserializableError(path, `a ${typeof value} cannot be stored`)
  }
}

function checkObject(value: object, path: string, ancestors: Set<object>): void {
  if (ancestors.has(value)) throw new UnserializableError(path, 'a circular reference cannot be stored')
  const problem = notPlainProblem(value)
  if (problem) throw new UnserializableError(path, problem)
  if (Object.getOwnPropertySymbols(value).length > 0) {
    throw new UnserializableError(path, 'symbol-keyed properties would be dropped')
  }
  // Only ancestors count: the same object twice side by side is fine in JSON.
  ancestors.add(value)
  if (Array.isArray(value)) checkArray(value, path, ancestors)
  else checkProperties(value as Record<string, unknown>, path, ancestors)
  ancestors.delete(value)
}

function checkArray(array: readonly unknown[], path: string, ancestors: Set<object>): void {
  for (let i = 0; i < array.length; i++) {
    if (!(i in array)) throw new UnserializableError(`${path}[${i}]`, 'an array hole would come back as null')
    checkValue(array[i], `${path}[${i}]`, ancestors)
  }
}

function checkProperties(object: Record<string, unknown>, path: string, ancestors: Set<object>): void {
  for (const name of Object.keys(object)) {
    const child = object[name]
    if (child === undefined) continue // dropped, as JSON does
    checkValue(child, propertyPath(path, name), ancestors)
  }
}

/** Why `value` is not a plain object or array, or `undefined` when it is. */
function notPlainProblem(value: object): string | undefined {
  const proto: unknown = Object.getPrototypeOf(value)
  if (Array.isArray(value)) return proto === Array.prototype ? undefined : 'an Array subclass would come back as a plain array'
  if (proto === Object.prototype || proto === null) return undefined
  if (value instanceof Date) return 'a Date would come back as a string; store date.getTime() or date.toISOString()'
  if (value instanceof Map) return 'a Map would come back as {}; store Object.fromEntries(map) or [...map]'
  if (value instanceof Set) return 'a Set would come back as {}; store [...set]'
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    return 'binary data does not survive JSON; encode it (e.g. base64) or keep it in a file'
  }
  if (value instanceof RegExp) return 'a RegExp would come back as {}; store its source'
  const name = constructorName(proto)
  return `an instance of ${name} would come back as a plain object; store a plain object instead`
}

function constructorName(proto: unknown): string {
  if (typeof proto !== 'object' || proto === null) return 'a class'
  const ctor: unknown = (proto as { constructor?: unknown }).constructor
  return typeof ctor === 'function' && ctor.name ? ctor.name : 'a class'
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/

function propertyPath(path: string, name: string): string {
  return IDENTIFIER.test(name) ? `${path}.${name}` : `${path}[${JSON.stringify(name)}]`
}
