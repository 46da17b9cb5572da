import { useState } from 'react'

interface Greeting {
  message: string
  at: string
}

/** The page: a button that asks the Worker's API, and what it said. */
export function App() {
  const [greeting, setGreeting] = useState<Greeting | null>(null)
  const [error, setError] = useState<string | null>(null)

  async function ask() {
    setError(null)
    try {
      // The app runs at the worker's own origin, so its API is at /api/ whatever the page's path.
      const response = await fetch('/api/greeting')
      if (!response.ok) throw new Error(`the API answered ${response.status}`)
      setGreeting((await response.json()) as Greeting)
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure))
    }
  }

  return (
    <main>
      <h1>Vite + React</h1>
      <p>
        Built by its own <code>vite build</code>, deployed by <code>wrangler deploy</code>.
      </p>
      <button type="button" onClick={ask}>
        Ask the Worker
      </button>
      {greeting && (
        <p id="greeting">
          {greeting.message} <small>({greeting.at})</small>
        </p>
      )}
      {error && <p role="alert">{error}</p>}
    </main>
  )
}
