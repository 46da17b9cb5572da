/** The platform's only stylesheet, served from /assets/app.css (no external fonts or CDNs). */
//
// Why some rules are as they are (kept here, not in the CSS, so the bundle does not carry them; the CSS is
// written compactly, one rule a line, for the same reason: the dispatch Worker must stay under 50 KB):
// - A worker's name is its page's heading, and a name can be 63 characters without a hyphen.
// - The card's padding is the gap: the first label's top margin would double it.
// - max-width + overflow-wrap: "Delete <63-character name>" must wrap on a phone, not widen the page.
// - Break long names and URLs only where they would overflow, never "fet ch" mid-word.
// - A 63-character name must not widen the table past a phone's screen (no sideways scrolling).
// - Paragraphs and list items name the worker in running text ("Rotating gives <name> …"): they wrap it too.
// - Wrapped, not scrolled: a scrolling <pre> is a region keyboard users cannot reach (axe: scrollable-region-focusable). Soft wraps do not end up in the copied command.
export const STYLESHEET = `
:root{--bg:#f7f7f8;--surface:#fff;--text:#1b1b1f;--muted:#55555f;--border:#d9d9de;--accent:#b4490e;--accent-text:#fff;--accent-soft:#fff1e8;--danger:#a1121a;--danger-soft:#fdecec;--ok:#17622f;--ok-soft:#e8f6ec;--focus:#1d4ed8;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;color-scheme:light}
*{box-sizing:border-box}
[hidden]{display:none !important}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:var(--accent);text-underline-offset:2px}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px}
.skip:focus{left:1rem;top:1rem;background:var(--surface);padding:.5rem 1rem;z-index:10}
header.site{background:var(--surface);border-bottom:1px solid var(--border)}
header.site .bar{max-width:60rem;margin:0 auto;padding:.75rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}
.brand{font-weight:700;color:var(--text);text-decoration:none;font-size:1.1rem}
.brand span{color:var(--accent)}
nav ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0}
nav a{text-decoration:none;font-weight:600;padding:.25rem 0}
nav a[aria-current="page"]{text-decoration:underline;text-decoration-thickness:2px}
.backend{margin-left:auto;font-size:.85rem;color:var(--muted)}
.backend code{background:var(--accent-soft);color:#7a2e05;padding:.1rem .4rem;border-radius:.3rem}
header.site form.account{display:flex;gap:.5rem;align-items:center;margin:0;font-size:.9rem;overflow-wrap:anywhere}
header.site form.account button{margin-top:0}
main{max-width:60rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.75rem;line-height:1.2;margin:0 0 .5rem;overflow-wrap:anywhere}
p,li{overflow-wrap:anywhere}
h2{font-size:1.2rem;margin:2rem 0 .5rem}
p.lead{color:var(--muted);margin-top:0}
.card{background:var(--surface);border:1px solid var(--border);border-radius:.6rem;padding:1.25rem}
.card>:first-child{margin-top:0}
.card>:last-child{margin-bottom:0}
label{display:block;font-weight:600;margin:1rem 0 .3rem}
.hint{font-weight:400;color:var(--muted);font-size:.9rem}
input[type="text"],input[type="password"],textarea{width:100%;font:inherit;color:inherit;background:var(--surface);border:1px solid #8a8a94;border-radius:.4rem;padding:.55rem .7rem}
textarea{font-family:var(--mono);font-size:.9rem;line-height:1.45;min-height:18rem;resize:vertical;tab-size:2}
input[type="file"]{font:inherit;max-width:100%}
select{font:inherit;color:inherit;background:var(--surface);border:1px solid #8a8a94;border-radius:.4rem;padding:.45rem .6rem;max-width:100%}
button,.button{display:inline-block;max-width:100%;overflow-wrap:anywhere;font:inherit;font-weight:600;border:0;border-radius:.4rem;padding:.6rem 1.1rem;background:var(--accent);color:var(--accent-text);cursor:pointer;text-decoration:none}
button:hover,.button:hover{filter:brightness(.92)}
.actions{margin-top:1.25rem;display:flex;gap:.75rem;align-items:center;flex-wrap:wrap}
.alert{border-radius:.5rem;padding:.8rem 1rem;margin:0 0 1rem;border:1px solid;overflow-wrap:anywhere}
.alert.error{background:var(--danger-soft);border-color:#e5a3a6;color:var(--danger)}
.alert.success{background:var(--ok-soft);border-color:#9fd3ae;color:var(--ok)}
.alert pre{white-space:pre-wrap;margin:.4rem 0 0;font-family:var(--mono);font-size:.85rem}
table{width:100%;border-collapse:collapse;background:var(--surface)}
th,td{text-align:left;padding:.6rem .75rem;border-bottom:1px solid var(--border);vertical-align:top}
th{font-size:.85rem;color:var(--muted);font-weight:600}
td code,dd code,p code{font-family:var(--mono);font-size:.88em;overflow-wrap:anywhere}
td{overflow-wrap:anywhere}
.table-wrap{overflow-x:auto;border:1px solid var(--border);border-radius:.6rem}
.empty{text-align:center;padding:2.5rem 1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:0}
dt{color:var(--muted)}
dd{margin:0;min-width:0;overflow-wrap:anywhere}
pre.code{background:#1e1e24;color:#f3f3f5;padding:.8rem 1rem;border-radius:.5rem;white-space:pre-wrap;overflow-wrap:anywhere;font-family:var(--mono);font-size:.85rem}
.pager{margin-top:1rem}
footer{max-width:60rem;margin:0 auto;padding:0 1rem 2rem;color:var(--muted);font-size:.85rem}
.alert.token{background:#fff8e1;border-color:#e0b84d;color:var(--text)}
.alert.token h2{margin:0 0 .4rem;font-size:1.1rem}
input.secret{font-family:var(--mono)}
button.danger{background:var(--danger)}
textarea.secret{min-height:0;font-size:.95rem;overflow-wrap:anywhere;resize:none}
.alert.notice{background:#eef2ff;border-color:#a5b4fc;color:#1e1b4b}
label.inline{display:inline;margin:0}
code.small{font-size:.8rem;color:var(--muted)}
.actions-card{margin-top:1rem}
button.secondary{background:var(--surface);color:var(--accent);border:1px solid var(--accent);padding:.35rem .8rem;margin-top:.5rem}
details.settings{margin-top:1.25rem;border:1px solid var(--border);border-radius:.5rem;padding:.6rem 1rem}
details.settings summary{font-weight:600;cursor:pointer}
fieldset{border:1px solid var(--border);border-radius:.5rem;margin:1rem 0 0;padding:.2rem 1rem 1rem}
legend{font-weight:600;padding:0 .3rem}
.choice{margin-top:.4rem}
textarea.short{min-height:5rem}
input[type="number"]{font:inherit;width:10rem;max-width:100%;padding:.45rem .6rem;border:1px solid #8a8a94;border-radius:.4rem}
.chart svg{display:block;width:100%;height:auto}
.key{display:inline-block;width:.8em;height:.8em;background:#1d4ed8}.key.errors{background:#a1121a}
.admin-nav{margin:0 0 1.5rem}.admin-nav ul{align-items:center;flex-wrap:wrap}.admin-nav button{margin:0}
.admin .card+.card{margin-top:1rem}
@media (max-width:30rem){h1{font-size:1.45rem}
.backend{margin-left:0;width:100%}
dl{grid-template-columns:1fr}
dt{margin-top:.4rem}
th.optional,td.optional{display:none}
}
`
