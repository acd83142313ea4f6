/** A store suite on a machine without its server binary fails, naming the binary: it never passes silently. */
import { requireBinary } from './support/binaries'

it('names the missing binary and how to install it', () => {
  expect(() => requireBinary('no-such-server-binary', 'apt-get install no-such-server')).toThrow(
    'missing server binary: no-such-server-binary is not installed (apt-get install no-such-server)',
  )
})

it('finds the binaries the store suites need on this machine', () => {
  for (const name of ['initdb', 'postgres', 'pg_isready', 'redis-server']) expect(requireBinary(name, 'install it')).toMatch(new RegExp(`/${name}$`))
})
