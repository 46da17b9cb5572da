import type { FC } from 'hono/jsx'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { formatBytes } from '../lib/format'
import { ACCEPTED_EXTENSIONS, DEFAULT_MAIN_MODULE, MAX_MODULES, type CodePrefill } from '../deploy/bundle'
import { MAX_LABEL_LENGTH } from '../deploy/deployments'
import type { BackendKind } from '../core/model'
import { MAX_NAME_LENGTH, NAME_PATTERN, NAME_RULES } from '../core/names'
import { PLATFORM_MODULE } from '../deploy/platform-module'
import type { ScriptLanguage } from '../deploy/projects'
import { USER_WORKERS_MOUNT } from '../core/urls'
import { Layout } from './layout'
import { EgressNotice } from './notices'
import { SettingsFields, type SettingsFieldsProps } from './settings-fields'

export const EXAMPLE_SCRIPT = `import { platform } from "./${PLATFORM_MODULE}";

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    return new Response(\`Hello from \${platform.worker}! You asked for \${url.pathname}\`, {
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  },
};
`

/**
 * The code of the version being replaced, as far as the form can show it. `private`: only its owner
 * may load it (with `refusal` when a token was given and did not do).
 */
export type CurrentCode =
  | CodePrefill
  | { kind: 'unavailable' }
  | { kind: 'private'; refusal?: { message: string; status: ContentfulStatusCode } }

export interface UploadProps {
  backend: BackendKind
  name: string
  script: string
  /** Optional label for this deployment in the worker's history. */
  label?: string
  /** False when "preview only" was ticked (kept when the form comes back with an error). */
  promote?: boolean
  /** The main module when several files are uploaded. */
  main?: string
  settings: SettingsFieldsProps
  maxScriptBytes: number
  /** USER_WORKERS_TRUSTED: whether user Workers get `request.cf` (see docs/projects.md). */
  trusted: boolean
  /** False on a namespace without its outbound Worker: egress policies would not be enforced. */
  egressEnforced: boolean
  /** Names the platform keeps for itself (config RESERVED_NAMES). */
  reservedNames: readonly string[]
  /** "Upload a new version": what the form shows of the current code. */
  current?: CurrentCode
  /** True when the code was too large to send back: the box is empty and says why. */
  scriptWithheld?: boolean
  /** Script (code box or module files) or project (folder, files or .zip, built first). */
  mode?: 'script' | 'project'
  /** The code box's language: JavaScript deploys as it is, TypeScript and TSX are built. */
  language?: ScriptLanguage
  /** A project's entry module, as typed. */
  entry?: string
  /** The reason the last attempt failed, shown above the form (the fields keep what was typed). */
  error?: { code: string; message: string }
  /** Who is signed in to the console (null: no one), for the layout. */
  signedIn?: { label: string } | null
  /** Signed in, and the session may deploy this name (the account's worker, or a new one): no token field. */
  tokenless?: boolean
}

export const UploadPage: FC<UploadProps> = ({
  backend,
  name,
  script,
  label = '',
  promote = true,
  main = '',
  mode = 'script',
  language = 'js',
  entry = '',
  settings,
  maxScriptBytes,
  reservedNames,
  egressEnforced,
  trusted,
  scriptWithheld = false,
  current,
  error,
  signedIn,
  tokenless = false,
}) => (
  <Layout title={error ? 'Upload failed' : 'Upload a worker'} backend={backend} current="upload" signedIn={signedIn}>
    <h1>Upload a worker</h1>
    <p class="lead">
      Give it a name and an ES module with a <code>fetch</code> handler. The platform checks that it starts, deploys it,
      and serves it at <code>{USER_WORKERS_MOUNT}/&lt;name&gt;</code>; uploading again under the same name replaces it.
    </p>
    <p class="hint" id="runtime-notes">
      {trusted ? (
        <>
          Workers here run <strong>trusted</strong>: <code>request.cf</code> is passed on.{' '}
        </>
      ) : (
        <>
          Workers here run <strong>untrusted</strong>, as in a Cloudflare dispatch namespace: no <code>request.cf</code>
          .{' '}
        </>
      )}
      {trusted
        ? 'The Cache API works: caches.default and caches.open() are shared by all workers.'
        : 'The Cache API works: caches.open() gives each worker its own cache; caches.default is disabled (a miss, storing nothing).'}
      {backend === 'dynamic-workers' && ' (The platform provides it: the Worker Loader gives isolates none.)'}
    </p>
    {error && (
      <div class="alert error" role="alert" id="upload-error">
        <strong>The worker was not deployed.</strong>
        <pre>{error.message}</pre>
      </div>
    )}
    {current?.kind === 'private' && <LoadCodeForm name={name} refusal={current.refusal?.message} />}
    <form class="card" method="post" action="/upload" enctype="multipart/form-data">
      <label for="name">
        Name <span class="hint">— {NAME_RULES}</span>
      </label>
      <input
        type="text"
        id="name"
        name="name"
        value={name}
        required
        maxlength={MAX_NAME_LENGTH}
        pattern={NAME_PATTERN}
        autocomplete="off"
        autocapitalize="none"
        spellcheck={false}
        aria-invalid={error?.code === 'invalid_name' ? 'true' : undefined}
        aria-describedby={
          [error ? 'upload-error' : '', reservedNames.length ? 'reserved-names' : ''].join(' ').trim() || undefined
        }
      />
      {reservedNames.length > 0 && (
        <p class="hint" id="reserved-names">
          Reserved by the platform: {reservedNames.join(', ')}.
        </p>
      )}
      <fieldset class="mode">
        <legend>What to deploy</legend>
        <div class="choice">
          <input type="radio" id="mode-script" name="mode" value="script" checked={mode === 'script'} />{' '}
          <label for="mode-script" class="inline">
            Script{' '}
            <span class="hint">— one Worker: paste it (JavaScript or TypeScript) or choose its module files</span>
          </label>
        </div>
        <div class="choice">
          <input type="radio" id="mode-project" name="mode" value="project" checked={mode === 'project'} />{' '}
          <label for="mode-project" class="inline">
            Project <span class="hint">— TypeScript, npm packages, static assets: built first</span>
          </label>
        </div>
      </fieldset>
      <fieldset id="script-fields">
        <legend>Script</legend>
        <label for="script">
          Code <span class="hint">— ES module, up to {formatBytes(maxScriptBytes)}</span>
        </label>
        {current && <CurrentCodeHint current={current} />}
        {scriptWithheld && (
          <p class="hint" id="script-withheld">
            Your code is not shown here again because it is over the limit. Your browser still has it: go Back to get
            it, then make it smaller.
          </p>
        )}
        <textarea
          id="script"
          name="script"
          spellcheck={false}
          autocomplete="off"
          autocapitalize="none"
          aria-describedby={scriptWithheld ? 'script-withheld' : current ? 'current-code' : undefined}
        >
          {script}
        </textarea>
        <label for="file">
          Or files{' '}
          <span class="hint">
            — used when the code box is empty: up to {MAX_MODULES} files, .js/.mjs modules, plus .json, .txt/.html/.md,
            .wasm
          </span>
        </label>
        <input type="file" id="file" name="file" multiple accept={ACCEPTED_EXTENSIONS.join(',')} />
        <label for="main">
          Main module <span class="hint">— with several files; default: the first .js file</span>
        </label>
        <input
          type="text"
          id="main"
          name="main"
          value={main}
          autocomplete="off"
          spellcheck={false}
          placeholder={DEFAULT_MAIN_MODULE}
        />
        <label for="language">Language of the code box</label>
        <select id="language" name="language">
          <option value="js" selected={language === 'js'}>
            JavaScript (deployed as it is)
          </option>
          <option value="ts" selected={language === 'ts'}>
            TypeScript (built first)
          </option>
          <option value="tsx" selected={language === 'tsx'}>
            TSX (built first)
          </option>
        </select>
      </fieldset>
      <fieldset id="project-fields">
        <legend>Project</legend>
        <p class="hint">
          A folder with <code>package.json</code> (its <code>dependencies</code> are installed), your code (entry:{' '}
          <code>main</code> of package.json, else <code>src/index.ts</code>) and a <code>public/</code> folder of static
          files; or the same as one .zip. Only static files is a site. Chosen files are not kept if the upload fails.
        </p>
        <label for="project_folder">Folder</label>
        <input type="file" id="project_folder" name="project_folder" multiple webkitdirectory="" />
        <label for="project_files">
          Or loose files <span class="hint">— their names are their paths</span>
        </label>
        <input type="file" id="project_files" name="project_files" multiple />
        <label for="project_archive">Or a .zip</label>
        <input type="file" id="project_archive" name="project_archive" accept=".zip,application/zip" />
        <label for="entry">
          Entry module <span class="hint">— optional, e.g. src/worker.ts</span>
        </label>
        <input type="text" id="entry" name="entry" value={entry} autocomplete="off" spellcheck={false} />
      </fieldset>
      <label for="label">
        Label <span class="hint">— optional, shown in the worker’s deployment history</span>
      </label>
      <input type="text" id="label" name="label" value={label} maxlength={MAX_LABEL_LENGTH} autocomplete="off" />
      <div class="choice">
        <input type="checkbox" id="promote" name="promote" value="false" checked={!promote} />{' '}
        <label for="promote" class="inline">
          Preview only <span class="hint">— don’t promote: an existing worker keeps serving its current version</span>
        </label>
      </div>
      {!egressEnforced && <EgressNotice />}
      <SettingsFields {...settings} open={settings.open || error?.code === 'invalid_settings'} />
      {tokenless && signedIn ? (
        <p class="hint" id="signed-in-deploy">
          Signed in as {signedIn.label}: the session deploys it, no token needed.
        </p>
      ) : (
        <>
          <label for="token">
            Deploy token{' '}
            <span class="hint">— only to update a worker you own; the first upload of a name gives you one</span>
          </label>
          <input
            type="password"
            id="token"
            name="token"
            autocomplete="off"
            spellcheck={false}
            aria-invalid={error?.code === 'forbidden' || error?.code === 'unauthorized' ? 'true' : undefined}
          />
        </>
      )}
      <div class="actions">
        <button type="submit">Deploy worker</button>
      </div>
    </form>
  </Layout>
)

const CurrentCodeHint: FC<{ current: CurrentCode }> = ({ current }) => {
  switch (current.kind) {
    case 'script':
      return (
        <p class="hint" id="current-code">
          The box holds the code of the current version: edit it and deploy.
        </p>
      )
    case 'files':
      return (
        <p class="hint" id="current-code">
          The current version has {current.files.length} files ({current.files.join(', ')}), more than this box holds:
          choose them all again under “Or files” (main module: {current.mainModule}), or paste a one-file version here.
        </p>
      )
    case 'unavailable':
      return (
        <p class="hint" id="current-code">
          The current version’s code could not be loaded just now, so the box shows the example.
        </p>
      )
    case 'private':
      return (
        <p class="hint" id="current-code">
          The current version’s code is private: load it above with the deploy token, or write the new version here.
        </p>
      )
  }
}

/** Loads a private worker's code into the form below: a form of its own, since forms cannot nest. */
const LoadCodeForm: FC<{ name: string; refusal: string | undefined }> = ({ name, refusal }) => (
  <form class="card" method="post" action="/upload/current" aria-label="Load the current code">
    <input type="hidden" name="name" value={name} />
    <label for="load-token">
      Your deploy token for {name} <span class="hint">— the code of a worker is its owner’s; the token loads it</span>
    </label>
    <input
      type="password"
      id="load-token"
      name="token"
      autocomplete="off"
      spellcheck={false}
      required
      aria-invalid={refusal ? 'true' : undefined}
      aria-describedby={refusal ? 'load-error' : undefined}
    />
    {refusal && (
      <div class="alert error" id="load-error" role="alert">
        {refusal}
      </div>
    )}
    <div class="actions">
      <button type="submit">Load the current code</button>
    </div>
  </form>
)
