/**
 * Small progressive enhancements, served from /assets/app.js (the CSP allows scripts from 'self'
 * only). Every page works without them.
 * - Buttons marked data-copy copy the value or text of the element they point at.
 * - Choosing one .js/.mjs file puts its text in the code box, so it can be read before deploying.
 * - The upload form shows the fields of the kind chosen (script or project) only, also after
 *   Back/Forward restored the radios (pageshow); without JavaScript both stay shown, and the
 *   server reads the ones the chosen kind names.
 * - The logs form follows the logs live: it reads GET …/logs?follow=1 (server-sent events) with
 *   fetch(), since EventSource cannot send the token in a header; the token stays in its field and
 *   in memory, never in a URL; a signed-in page reads its own …/logs/live with the session's cookie. Lines are formatted as views/logs.tsx does (logLineText, formatTime).
 */
export const ENHANCEMENTS = `
document.querySelectorAll("[data-copy]").forEach((button) => {
  const target = document.querySelector(button.dataset.copy);
  if (!target || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", async () => {
    await navigator.clipboard.writeText("value" in target ? target.value : target.textContent);
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

const fileInput = document.querySelector("#file");
const codeBox = document.querySelector("#script");
if (fileInput && codeBox) {
  fileInput.addEventListener("change", async () => {
    const files = [...fileInput.files];
    if (files.length !== 1 || !/\\.m?js$/i.test(files[0].name)) return;
    codeBox.value = await files[0].text();
    fileInput.value = "";
    codeBox.focus();
  });
}

const scriptFields = document.querySelector("#script-fields");
const projectFields = document.querySelector("#project-fields");
if (scriptFields?.form && projectFields) {
  const showChosen = () => {
    projectFields.hidden = !(scriptFields.hidden = scriptFields.form.elements.mode.value === "project");
  };
  scriptFields.form.addEventListener("change", showChosen);
  addEventListener("pageshow", showChosen);
  showChosen();
}

const logsForm = document.querySelector("form[data-follow-logs]");
const logView = document.querySelector("#log-view");
if (logsForm && logView && window.TextDecoderStream) {
  const $ = (id) => logView.querySelector("#log-" + id);
  const labels = JSON.parse(logView.dataset.deployments);
  const shown = [];
  let following;
  const say = (text, live) => {
    $("follow-status").textContent = text;
    $("stop").hidden = !live;
  };
  const fail = (message) => {
    $("error").textContent = message;
    $("error").hidden = false;
    say("Not following.", false);
  };
  const show = (line) => {
    const label = labels[line.deployment] || line.deployment;
    shown.push(line.at + "  " + line.level.padEnd(9) + " " + (label ? "[" + label + "] " : "") + line.message);
    if (shown.length > 500) shown.shift();
    $("lines").textContent = shown.join("\\n");
    $("lines").parentElement.hidden = false;
    $("empty").hidden = true;
  };
  const follow = async (token, signal) => {
    let lastId = "";
    let failures = 0;
    while (!signal.aborted) {
      try {
        const headers = { Accept: "text/event-stream" };
        // Signed in, there is no token field: the session's cookie goes with this same-origin request.
        if (token) headers.Authorization = "Bearer " + token;
        if (lastId) headers["Last-Event-ID"] = lastId;
        const response = await fetch(logsForm.dataset.followLogs, { headers, signal });
        if (!response.ok) {
          const body = await response.json().catch(() => null);
          return fail(body?.error?.message || "Could not follow the logs (HTTP " + response.status + ").");
        }
        failures = 0;
        say("Following live: new lines appear as they arrive.", true);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (let read; !(read = await reader.read()).done; ) {
          const blocks = (buffer += read.value).split("\\n\\n");
          buffer = blocks.pop();
          for (const block of blocks) {
            const event = {};
            for (const field of block.split("\\n")) {
              const colon = field.indexOf(":");
              if (colon > 0) event[field.slice(0, colon)] = field.slice(colon + 1).trim();
            }
            const data = event.data && JSON.parse(event.data);
            if (event.event === "capture") {
              $("capture").textContent = "Capture is on until " + data.capturingUntil.replace("T", " ").replace(/\\.\\d+Z$/, " UTC") + ".";
            } else if (event.event === "error") {
              return fail(data.message);
            } else if (data) {
              lastId = event.id;
              show(data);
            }
          }
        }
        // The server ends each follow after a while: reconnect from the last line.
      } catch {
        if (signal.aborted) return;
        if (++failures > 5) return fail("Lost the connection to the logs. Show them again to follow.");
        say("Reconnecting…", true);
        await new Promise((resolve) => setTimeout(resolve, 1000 * failures));
      }
    }
  };
  logsForm.addEventListener("submit", (event) => {
    event.preventDefault();
    following?.abort();
    following = new AbortController();
    shown.length = 0;
    $("lines").parentElement.hidden = true;
    $("empty").hidden = false;
    $("error").hidden = true;
    say("Connecting…", true);
    follow(logsForm.elements.token?.value.trim(), following.signal);
  });
  $("stop").addEventListener("click", () => {
    following?.abort();
    say("Stopped following. Show the logs again to follow.", false);
  });
}
`
