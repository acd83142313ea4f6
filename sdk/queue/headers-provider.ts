import { checkHeaderFields } from './request-vocabulary'

/** Headers, or a function giving them at send time (so tokens are never stored). */
export type HeadersProvider = Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>)

/**
 * The app's headers for one send, writes and reads alike: its provider
 * called (or its object copied), held to the same header rules as headers
 * given at a call.
 * @throws what the provider throws; {@link InvalidArgumentError} for a bad header it gave.
 */
export async function providedHeaders(provider: HeadersProvider | undefined): Promise<Record<string, string>> {
  if (provider === undefined) return {}
  const headers = typeof provider === 'function' ? { ...(await provider()) } : { ...provider }
  return checkHeaderFields(headers, 'headers (from the provider)')
}

/** How a provider that threw is reported: nothing could be sent, so the attempt (or read) failed without an answer. */
export function providerFailure(error: unknown): string {
  return `headers provider failed: ${error instanceof Error ? error.message : String(error)}`
}
