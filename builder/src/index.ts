// The builder Worker. The platform calls `build()` over a service binding (RPC); see
// src/deploy/build.ts for the contract. It has no bindings and keeps nothing but an in-isolate
// cache of recent builds.
import { WorkerEntrypoint } from 'cloudflare:workers'
import type { BuildRequest, BuildResult } from '../../src/deploy/build'
import { build } from './build'

export class Builder extends WorkerEntrypoint {
  build(request: BuildRequest): Promise<BuildResult> {
    return build(request)
  }
}

export default {
  fetch(): Response {
    return new Response(
      'workers-for-platforms-builder: builds tenant projects (TypeScript, npm packages, static assets) for the platform. ' +
        'It is called over a service binding (RPC: Builder.build), not over HTTP.\n',
      { headers: { 'content-type': 'text/plain; charset=utf-8' } },
    )
  },
} satisfies ExportedHandler
