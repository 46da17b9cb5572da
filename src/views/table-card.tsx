import type { Child, FC } from 'hono/jsx'

/**
 * A titled table in a card, as the account and worker pages show them: the heading names the table
 * for assistive technology (aria-labelledby), the columns are header cells, the rows its children.
 */
export const TableCard: FC<{
  id: string
  title: string
  columns: string[]
  /** Columns a phone does not show (their cells carry class "optional" too). */
  optional?: string[]
  children?: Child
}> = (props) => (
  <>
    <h2 id={props.id}>{props.title}</h2>
    <div class="card table-wrap">
      <table aria-labelledby={props.id}>
        <thead>
          <tr>
            {props.columns.map((column) => (
              <th scope="col" class={props.optional?.includes(column) ? 'optional' : undefined}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  </>
)
