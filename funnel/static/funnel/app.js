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
