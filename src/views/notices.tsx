import type { FC } from 'hono/jsx'

/** Said on the home page and the upload form while a namespace has no outbound Worker. */
export const EgressNotice: FC = () => (
  <div class="alert notice" id="egress-not-enforced">
    <p>
      <strong>Egress policies are off on this platform.</strong> Its dispatch namespace has no outbound Worker (
      <code>DISPATCH_OUTBOUND_WORKER</code> is not set), so nothing could enforce “Block all” or an allow-list: uploads
      that ask for one are refused, and user Workers may reach any host. The operator deploys <code>outbound/</code> and
      wires it to the <code>dispatcher</code> binding to turn them on.
    </p>
  </div>
)
