// Funnel's own small script: "add another" rows in formsets. Pages work without it.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-row]");
  if (!button) return;
  const formset = button.closest("[data-formset]");
  const total = formset.querySelector('input[name$="-TOTAL_FORMS"]');
  const index = Number(total.value);
  const row = formset.querySelector("template").innerHTML.replaceAll("__prefix__", index);
  formset.querySelector(".formset-rows").insertAdjacentHTML("beforeend", row);
  total.value = index + 1;
  formset.querySelector(".formset-rows").lastElementChild.querySelector("input:not([type=hidden])")?.focus();
});
// The button only makes sense with the script running.
document.querySelectorAll("[data-add-row]").forEach((button) => { button.hidden = false; });

// A dialog arriving in a fragment (a move that needs confirming) opens as a modal.
document.addEventListener("htmx:afterSwap", (event) => {
  event.detail.target.querySelectorAll("dialog[data-autoopen]").forEach((dialog) => {
    if (!dialog.open) dialog.showModal();
    dialog.querySelector("textarea, input:not([type=hidden])")?.focus();
  });
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-close-dialog]");
  if (button) button.closest("dialog").close();
});

// The board: drag a card onto another column to move it. Buttons on each card do the same
// from the keyboard; both post the same form.
document.addEventListener("dragstart", (event) => {
  const card = event.target.closest?.("[data-move-url]");
  if (!card) return;
  event.dataTransfer.setData("text/plain", card.dataset.moveUrl);
  event.dataTransfer.effectAllowed = "move";
  card.classList.add("dragging");
});
document.addEventListener("dragend", (event) => {
  event.target.closest?.("[data-move-url]")?.classList.remove("dragging");
  document.querySelectorAll(".drop-target").forEach((el) => el.classList.remove("drop-target"));
});
document.addEventListener("dragover", (event) => {
  const column = event.target.closest?.("[data-drop-level]");
  if (!column) return;
  event.preventDefault();
  column.classList.add("drop-target");
});
document.addEventListener("dragleave", (event) => {
  const column = event.target.closest?.("[data-drop-level]");
  if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
});
document.addEventListener("drop", (event) => {
  const column = event.target.closest?.("[data-drop-level]");
  if (!column) return;
  event.preventDefault();
  column.classList.remove("drop-target");
  const url = event.dataTransfer.getData("text/plain");
  const card = document.querySelector(`[data-move-url="${CSS.escape(url)}"]`);
  if (!url || !card || card.closest("[data-drop-level]") === column) return;
  htmx.ajax("POST", url, {
    source: card,
    target: "#dialog",
    values: { to_level: column.dataset.dropLevel },
  });
});

// A form sent once is not sent again by a second click while its page loads (htmx forms drop
// a second request by themselves). The server refuses repeats anyway; this spares the wait.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "true";
});
// Back to a page from the history: its forms can be sent again.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-sent]").forEach((form) => delete form.dataset.sent);
});

// The calendar address is selected whole on a click, ready to copy (no inline handler: the
// Content-Security-Policy refuses them).
document.addEventListener("click", (event) => {
  event.target.closest?.("[data-select-on-click]")?.select();
});
