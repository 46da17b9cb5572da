/**
 * Small progressive enhancements, served from /assets/app.js (the CSP allows scripts from 'self'
 * only). Every page works without them.
 * - Buttons marked data-copy copy the value or text of the element they point at.
 * - Choosing one .js/.mjs file puts its text in the code box, so it can be read before deploying.
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
`
