/** Every route of the demo server, in matching order. */
import type { Route } from '../router'
import { catalogueRoutes } from './catalogue'
import { deliveryRoutes } from './deliveries'
import { manifestRoutes } from './manifest'
import { photoRoutes } from './photos'
import { staticRoutes } from './static'
import { visitRoutes } from './visits'

/** The demo server's routes. */
export const ROUTES: readonly Route[] = [...catalogueRoutes, ...manifestRoutes, ...staticRoutes, ...photoRoutes, ...visitRoutes, ...deliveryRoutes]
