/**
 * Small progressive enhancements, served from /assets/app.js (the CSP allows scripts from 'self'
 * only). Every page works without them.
 * - Buttons marked data-copy copy the value or text of the element they point at.
 * - Choosing one .js/.mjs file puts its text in the code box, so it can be read before deploying.
 * - The logs form follows the logs live: it reads GET …/logs?follow=1 (server-sent events) with
 *   fetch(), since EventSource cannot send the token in a header; the token stays in its field and
 *   in memory, never in a URL. Lines are formatted as views/logs.tsx does (logLineText, formatTime).
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

const logsForm = document.querySelector("form[data-follow-logs]");
const logView = document.querySelector("#log-view");
if (logsForm && logView && window.TextDecoderStream) {
  const labels = JSON.parse(logView.dataset.deployments || "{}");
  const status = logView.querySelector("#log-follow-status");
  const capture = logView.querySelector("#log-capture");
  const stop = document.createElement("button");
  stop.type = "button";
  stop.className = "secondary";
  stop.textContent = "Stop following";
  stop.hidden = true;
  status.after(stop);
  let following;
  let alertBox;
  const say = (text, live) => {
    status.textContent = text;
    stop.hidden = !live;
  };
  const fail = (message) => {
    alertBox = document.createElement("div");
    alertBox.className = "alert error";
    alertBox.setAttribute("role", "alert");
    alertBox.textContent = message;
    logsForm.before(alertBox);
    say("Not following.", false);
  };
  const shown = [];
  const render = () => {
    logView.querySelector("#log-empty")?.remove();
    let code = logView.querySelector("#log-lines");
    if (!code) {
      const pre = document.createElement("pre");
      pre.className = "code logs";
      pre.tabIndex = 0;
      pre.setAttribute("aria-labelledby", "logs-heading");
      code = document.createElement("code");
      code.id = "log-lines";
      pre.append(code);
      logView.append(pre);
    }
    code.textContent = shown.join("\\n");
  };
  const lineText = (line) =>
    line.at + "  " + line.level.padEnd(9) + " " +
    (line.deployment ? "[" + (labels[line.deployment] || line.deployment) + "] " : "") + line.message;
  const follow = async (url, token, signal) => {
    let lastId = "";
    let failures = 0;
    shown.length = 0;
    logView.querySelector("#log-lines")?.parentElement.remove();
    logView.querySelector("#log-empty")?.remove();
    const empty = document.createElement("p");
    empty.id = "log-empty";
    empty.textContent = "No output yet. Call the worker: its lines appear here as they arrive.";
    logView.append(empty);
    say("Connecting…", true);
    while (!signal.aborted) {
      try {
        const headers = { Authorization: "Bearer " + token, Accept: "text/event-stream" };
        if (lastId) headers["Last-Event-ID"] = lastId;
        const response = await fetch(url, { headers, signal, cache: "no-store" });
        if (!response.ok) {
          const body = await response.json().catch(() => null);
          return fail(body?.error?.message || "Could not follow the logs (HTTP " + response.status + ").");
        }
        failures = 0;
        say("Following live: new lines appear as they arrive.", true);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\\n\\n")) >= 0) {
            const event = { event: "message", data: "" };
            for (const field of buffer.slice(0, end).split("\\n")) {
              const at = field.indexOf(":");
              if (at <= 0) continue;
              event[field.slice(0, at)] = (field.slice(0, at) === "data" ? event.data : "") + field.slice(at + 1).replace(/^ /, "");
            }
            buffer = buffer.slice(end + 2);
            if (event.event === "capture") {
              const until = JSON.parse(event.data).capturingUntil;
              capture.textContent = "Capture is on until " + until.replace("T", " ").replace(/\\.\\d+Z$/, " UTC") + ".";
            } else if (event.event === "error") {
              return fail(JSON.parse(event.data).message);
            } else if (event.data) {
              shown.push(lineText(JSON.parse(event.data)));
              if (shown.length > 500) shown.shift();
              if (event.id) lastId = event.id;
              render();
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
    const token = logsForm.elements.token.value.trim();
    if (!token) return;
    event.preventDefault();
    alertBox?.remove();
    following?.abort();
    following = new AbortController();
    follow(logsForm.dataset.followLogs, token, following.signal);
  });
  stop.addEventListener("click", () => {
    following?.abort();
    say("Stopped following. Show the logs again to follow.", false);
  });
}
`
