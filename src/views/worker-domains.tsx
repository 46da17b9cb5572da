import type { FC } from 'hono/jsx'
import { DOMAIN_CLAIM_MS, type DnsRecord, type DomainView } from '../domains/domain-state'
import type { ListedDomain } from '../domains/domains'
import { formatDuration, formatTime } from '../lib/format'
import { FormError, TokenSubmit, type FormRefusal } from './worker-forms'

export interface WorkerDomainsProps {
  name: string
  /** The worker's hostnames, once the owner asked (or signed in); undefined: not shown yet. */
  domains: ListedDomain[] | undefined
  /** With a SaaS zone: where tenants point a CNAME. Without one, only `.test` names (development). */
  saasZone: boolean
  cnameTarget: string | undefined
  maxPerWorker: number
  formError: FormRefusal | undefined
  tokenless: boolean
  /** What was typed, when the add was refused. */
  input?: string | undefined
}

const STATE_TEXT: Record<ListedDomain['state'], string> = {
  serving: 'Serving',
  pending: 'Pending',
  failed: 'Failed',
  expired: 'Expired',
}

/** The worker's own hostnames: each with its state and the DNS records still to create; add, check, remove. */
export const WorkerDomains: FC<WorkerDomainsProps> = (props) => {
  const { name, domains, saasZone, cnameTarget, maxPerWorker, formError, tokenless, input } = props
  return (
    <>
      <h2 id="domains-heading">Custom domains</h2>
      <FormError form="domains" error={formError} />
      {saasZone ? (
        <p>
          Serve {name} at a hostname of your own (up to {maxPerWorker}). Point it at <code>{cnameTarget}</code> with a
          CNAME (at the apex, your DNS provider's CNAME flattening or ALIAS), then create the TXT records shown: one
          proves you own the hostname, the other lets the certificate be issued. Traffic flows once all are found;
          unverified claims expire after {formatDuration(DOMAIN_CLAIM_MS)}.
        </p>
      ) : (
        <p>
          This platform has no SaaS zone, so it serves no real custom domains. In development, add a name under{' '}
          <code>.test</code>: it serves at once, e.g.{' '}
          <code>curl -H 'Host: shop.example.test' http://localhost:8787/</code>.
        </p>
      )}
      {domains && <DomainTable name={name} domains={domains} tokenless={tokenless} />}
      <form class="card" method="post" action={`/workers/${name}/domains`} aria-labelledby="domains-heading">
        <label for="domain-hostname">Hostname</label>
        <input
          type="text"
          id="domain-hostname"
          name="hostname"
          value={input}
          placeholder={saasZone ? 'shop.example.com' : 'shop.example.test'}
          autocomplete="off"
          spellcheck={false}
        />
        <p class="hint">Leave it empty to show the worker's domains only.</p>
        <TokenSubmit id="domains-token" tokenless={tokenless}>
          <button type="submit">Add or show domains</button>
        </TokenSubmit>
      </form>
    </>
  )
}

const DomainTable: FC<{ name: string; domains: ListedDomain[]; tokenless: boolean }> = ({
  name,
  domains,
  tokenless,
}) =>
  domains.length === 0 ? (
    <p class="hint">No custom domains yet.</p>
  ) : (
    <div class="card">
      <table aria-label="Custom domains">
        <thead>
          <tr>
            <th scope="col">Hostname</th>
            <th scope="col">State</th>
            <th scope="col">To do</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {domains.map((domain) => (
            <tr>
              <td>
                <code>{domain.hostname}</code>
              </td>
              <td>
                <strong>{STATE_TEXT[domain.state]}</strong>
                {'status' in domain && (
                  <span class="hint">
                    {' '}
                    hostname {domain.status}, certificate {domain.sslStatus}
                  </span>
                )}
              </td>
              <td>
                {'status' in domain ? <ToDo domain={domain} /> : 'The claim ended: add it again for a fresh one.'}
              </td>
              <td>
                <DomainAction name={name} hostname={domain.hostname} action="remove" tokenless={tokenless} />
                {'status' in domain && domain.state !== 'serving' && (
                  <DomainAction name={name} hostname={domain.hostname} action="check" tokenless={tokenless} />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )

/** What the tenant still has to do for a claim, in the order it matters. */
const ToDo: FC<{ domain: DomainView }> = ({ domain }) => {
  if (domain.state === 'serving') return <>Nothing: it serves.</>
  const expires = new Date(domain.expiresAt).toISOString()
  const records: DnsRecord[] = [...(domain.txtSeen || !domain.ownership ? [] : [domain.ownership])]
  if (domain.sslStatus !== 'active') records.push(...domain.certificateRecords)
  return (
    <>
      {records.length > 0 ? (
        <ul class="records">
          {records.map((record) => (
            <li>
              <code>
                {record.type} {record.name} {record.value}
              </code>
            </li>
          ))}
        </ul>
      ) : (
        <p>Waiting for Cloudflare to give the records to create.</p>
      )}
      {domain.messages.map((message) => (
        <p class="hint">{message}</p>
      ))}
      {domain.error && <p class="hint">{domain.error}</p>}
      <p class="hint">
        Expires at <time datetime={expires}>{formatTime(expires)}</time> unless verified.
      </p>
    </>
  )
}

const DomainAction: FC<{ name: string; hostname: string; action: 'remove' | 'check'; tokenless: boolean }> = ({
  name,
  hostname,
  action,
  tokenless,
}) => (
  <form method="post" action={`/workers/${name}/domains/${action}`} class="inline">
    <input type="hidden" name="hostname" value={hostname} />
    {!tokenless && (
      <>
        <label for={`${action}-${hostname}`}>Deploy token</label>
        <input type="password" id={`${action}-${hostname}`} name="token" required autocomplete="off" />
      </>
    )}
    <button
      type="submit"
      class={action === 'remove' ? 'danger' : 'secondary'}
      aria-label={`${action === 'remove' ? 'Remove' : 'Check'} ${hostname}`}
    >
      {action === 'remove' ? 'Remove' : 'Check now'}
    </button>
  </form>
)
