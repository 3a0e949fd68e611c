import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { TestProject } from 'vitest/node'
import { routes } from './routes'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The test server's origin, `http://127.0.0.1:<port>`, for `http` and `ai` tests. */
    testServer: string
  }
}

/**
 * Starts the HTTP server the `http` and `ai` tests call, on 127.0.0.1 with a free port, and
 * gives its origin to the tests (`inject('testServer')`). The page the tests run in has another
 * origin, so every answer carries CORS headers unless a route says otherwise.
 */
export default async function setup(project: TestProject) {
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.statusCode = 500
      response.end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  project.provide('testServer', `http://127.0.0.1:${port}`)
  return () => new Promise<void>((resolve) => server.close(() => resolve()))
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1')
  for (const route of routes) {
    if (await route(request, response, url)) return
  }
  response.statusCode = 404
  response.setHeader('access-control-allow-origin', '*')
  response.end(`no route for ${request.method} ${url.pathname}`)
}
