import type { IncomingMessage, ServerResponse } from 'node:http'
import { aiRoutes } from './ai-routes'
import { httpRoute } from './http-routes'

/** A route of the test server: true when it answered the request. */
export type Route = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
) => boolean | Promise<boolean>

/** Answers `GET /ping` with `pong`: the server is up and reachable from the page. */
const ping: Route = (request, response, url) => {
  if (request.method !== 'GET' || url.pathname !== '/ping') return false
  response.setHeader('access-control-allow-origin', '*')
  response.setHeader('content-type', 'text/plain')
  response.end('pong')
  return true
}

/** Every route, tried in order. */
export const routes: Route[] = [ping, httpRoute, aiRoutes]
