/**
 * Wraps `create` so it runs once per object, weakly held: the same
 * argument always gets the same result. The SDK recognises "the same
 * storage" by identity (one outbox engine per storage in a process), so
 * every adapter built over a runtime object must be built once.
 */
export function onePerObject<Key extends object, Value>(create: (key: Key) => Value): (key: Key) => Value {
  const made = new WeakMap<Key, Value>()
  return (key) => {
    let value = made.get(key)
    if (value === undefined) {
      value = create(key)
      made.set(key, value)
    }
    return value
  }
}
