import type { FC } from 'hono/jsx'

/** A worker's tags, each a link to the list filtered by it. */
export const TagLinks: FC<{ tags: string[] }> = ({ tags }) => (
  <>
    {tags.map((tag, index) => (
      <>
        {index > 0 && ', '}
        <a href={`/?${new URLSearchParams({ tag }).toString()}`}>{tag}</a>
      </>
    ))}
  </>
)
