interface Env {
  GREETING: string
}

// The app's API. Everything else is the app itself: its files, and index.html for any other path
// (wrangler.jsonc: not_found_handling "single-page-application", run_worker_first ["/api/*"]).
export default {
  fetch(request: Request, env: Env): Response {
    const { pathname } = new URL(request.url)
    if (pathname === '/api/greeting') {
      console.log('greeting asked')
      return Response.json({ message: env.GREETING, at: new Date().toISOString() })
    }
    return Response.json({ error: `No API at ${pathname}` }, { status: 404 })
  },
}
