/**
 * The request a user Worker gets, with a body the platform pumps itself. Handed the incoming body
 * directly, a Worker that answers without reading it (a POST it ignores) leaves the runtime pumping
 * the platform's request stream after the platform's response has been sent: workerd logs an
 * uncaught "Can't read from request stream after response has been sent" for every such request
 * (and under `wrangler dev` the next request on that connection can fail). Piped through a stream
 * of the platform's, the unread rest is dropped quietly; the Worker still streams what it reads,
 * with the same Content-Length.
 */
export function withOwnBody(request: Request): Request {
  if (!request.body) return request
  const length = request.headers.get('Content-Length')
  const stream =
    length !== null && /^\d+$/.test(length) ? new FixedLengthStream(Number(length)) : new IdentityTransformStream()
  // Rejects when the Worker stops reading (it answered, or cancelled): nothing to report.
  request.body.pipeTo(stream.writable).catch(() => undefined)
  return new Request(request, { body: stream.readable })
}
