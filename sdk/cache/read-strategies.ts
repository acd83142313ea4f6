import { CacheMissError, TransportError } from '../errors'
import type { Clock, HttpResponse } from '../platform/platform'
import type { CachedCopy } from './cached-response'
import type { GetResult, ReadSource } from './get-options'
import type { ReadStrategy } from './reader-options'

/** What a strategy works with: one request, its cached copy, and time. */
export interface StrategyContext {
  /** The URL, for error messages. */
  url: string
  /** Sends the request, keeping a 2xx answer when `keep`; resolves with any HTTP answer, rejects with a {@link TransportError}. */
  fetch(keep: boolean): Promise<HttpResponse>
  /** The unexpired cached copy, counted as a use. */
  cached(): CachedCopy | undefined
  /** Refreshes the cached copy in the background. */
  revalidate(): void
  networkTimeoutMs: number | undefined
  clock: Clock
}

/** A network answer as `get()` reports it. */
export function networkResult<T>(response: HttpResponse): GetResult<T> {
  return { data: response.data as T, statusCode: response.statusCode, header: response.header, source: 'network', fromCache: false, stale: false }
}

/** A kept copy as `get()` reports it. */
export function copyResult<T>(copy: CachedCopy, source: Exclude<ReadSource, 'network'>, stale: boolean): GetResult<T> {
  const { data, statusCode, header } = copy.response
  return { data: data as T, statusCode, header, source, fromCache: true, cachedAt: copy.cachedAt, stale }
}

/**
 * The network's answer; the cached copy (stale) when the network fails,
 * answers 5xx, or takes longer than `networkTimeoutMs`. Past that timeout
 * the request carries on, and its answer refreshes the cache.
 */
function networkFirst<T>(ctx: StrategyContext): Promise<GetResult<T>> {
  return new Promise((resolve, reject) => {
    let done = false
    const finish = (result: () => GetResult<T>): void => {
      if (done) return
      done = true
      if (timer !== undefined) ctx.clock.clearTimeout(timer)
      try {
        resolve(result())
      } catch (error) {
        reject(error)
      }
    }
    const timer =
      ctx.networkTimeoutMs === undefined
        ? undefined
        : ctx.clock.setTimeout(() => {
            const copy = ctx.cached()
            // Without a copy, waiting for the network is all there is to do.
            if (copy) finish(() => copyResult(copy, 'cache', true))
          }, ctx.networkTimeoutMs)
    ctx.fetch(true).then(
      (response) =>
        finish(() => {
          const copy = response.statusCode >= 500 ? ctx.cached() : undefined
          return copy ? copyResult(copy, 'cache', true) : networkResult(response)
        }),
      (error: unknown) =>
        finish(() => {
          const copy = error instanceof TransportError ? ctx.cached() : undefined
          if (!copy) throw error
          return copyResult(copy, 'cache', true)
        }),
    )
  })
}

async function cacheFirst<T>(ctx: StrategyContext): Promise<GetResult<T>> {
  const copy = ctx.cached()
  return copy ? copyResult(copy, 'cache', false) : networkResult(await ctx.fetch(true))
}

async function staleWhileRevalidate<T>(ctx: StrategyContext): Promise<GetResult<T>> {
  const copy = ctx.cached()
  if (!copy) return networkResult(await ctx.fetch(true))
  ctx.revalidate()
  return copyResult(copy, 'cache', true)
}

async function networkOnly<T>(ctx: StrategyContext): Promise<GetResult<T>> {
  return networkResult(await ctx.fetch(false))
}

async function cacheOnly<T>(ctx: StrategyContext): Promise<GetResult<T>> {
  const copy = ctx.cached()
  if (!copy) throw new CacheMissError(ctx.url, 'cacheOnly and nothing is cached')
  return copyResult(copy, 'cache', false)
}

const STRATEGIES: Record<ReadStrategy, <T>(ctx: StrategyContext) => Promise<GetResult<T>>> = {
  networkFirst,
  cacheFirst,
  staleWhileRevalidate,
  networkOnly,
  cacheOnly,
}

/** Runs one read with `strategy`. */
export function runStrategy<T>(strategy: ReadStrategy, ctx: StrategyContext): Promise<GetResult<T>> {
  return STRATEGIES[strategy]<T>(ctx)
}
