/** Generated images under `/static/`, for the precache and image-cache demos. */
import { pngForName } from '../png'
import { jsonRaw, type ReadRoute } from '../router'

const NAME = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*\.png$/

/** `GET /static/<name>.png`: a small PNG, the same for the same name. */
export const staticRoutes: ReadRoute[] = [
  {
    method: 'GET',
    pattern: '/static/*',
    summary: 'a small generated PNG, e.g. /static/logo.png, /static/map-tiles/12-3401-1570.png',
    read: (request) => {
      const name = request.params['*']
      if (!NAME.test(name)) return jsonRaw(404, { error: 'not found', details: { path: request.path } })
      return { status: 200, headers: { 'content-type': 'image/png', 'cache-control': 'public, max-age=3600' }, body: pngForName(name) }
    },
  },
]
