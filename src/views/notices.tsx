import type { FC } from 'hono/jsx'
import type { Config } from '../core/config'
import type { NamespaceTrust } from '../dispatch/isolation'

const ISOLATION_DOCS =
  'https://developers.cloudflare.com/cloudflare-for-platforms/workers-for-platforms/reference/worker-isolation/'

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

/** Said on the home page when USER_WORKERS_TRUSTED and the namespace's `trusted_workers` disagree. */
export const TrustNotice: FC<{
  config: Pick<Config, 'userWorkersTrusted' | 'dispatchNamespace'>
  trust: NamespaceTrust
}> = ({ config, trust }) => {
  if ('unknown' in trust) {
    return (
      <div class="alert notice" id="namespace-trust">
        <p>
          Could not read whether the namespace <code>{config.dispatchNamespace}</code> runs its Workers trusted:{' '}
          {trust.unknown}
        </p>
      </div>
    )
  }
  if (trust.trustedWorkers === config.userWorkersTrusted) return null
  const wanted = String(config.userWorkersTrusted)
  return (
    <div class="alert notice" id="namespace-trust">
      <p>
        <code>USER_WORKERS_TRUSTED</code> is <code>{wanted}</code>, but the namespace{' '}
        <code>{config.dispatchNamespace}</code> has <code>trusted_workers: {String(trust.trustedWorkers)}</code>, so its
        Workers {trust.trustedWorkers ? 'do' : 'do not'} get <code>request.cf</code> and a shared cache. Set the
        namespace with <code>PUT …/workers/dispatch/namespaces/{config.dispatchNamespace}</code> and{' '}
        <code>{`{ "trusted_workers": ${wanted} }`}</code>, then upload each worker again (Cloudflare applies it at
        upload), or change the setting. <a href={ISOLATION_DOCS}>Worker isolation</a>
      </p>
    </div>
  )
}
