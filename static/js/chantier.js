// Chantier's few behaviours in the browser, kept out of the pages so that the Content-Security-Policy
// allows no inline script. Listeners sit on the document (event delegation): they also serve what htmx
// swaps in later. Without JavaScript every page still works; these only make it quicker.

// A search box over a list of options (the partners of a plan's item): hides the options whose text does
// not contain what is typed, without accents or case.
function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

document.addEventListener("input", (event) => {
  const box = event.target.closest("[data-filters-options]");
  if (!box) return;
  const select = box.closest(".searchable-select").querySelector("select");
  const wanted = fold(box.value);
  for (const option of select.options) option.hidden = !fold(option.text).includes(wanted);
});

// « Fermer » on a panel opened in the page (the plan's edit panel): removes the panel.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-closes]");
  if (!button) return;
  const panel = button.closest(button.dataset.closes);
  if (panel.matches(".edit-panel")) closePanel(panel);
  else panel.remove();
});

// An edit panel remembers what opened it, so that closing it (« Fermer » or Escape) puts the focus back
// there rather than at the top of a page of many links.
const openers = new WeakMap();

document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  const panel = target && (target.matches(".edit-panel") ? target : target.querySelector(".edit-panel"));
  if (panel && event.detail.requestConfig) openers.set(panel, event.detail.requestConfig.elt);
});

function closePanel(panel) {
  const opener = openers.get(panel);
  panel.remove();
  if (opener && opener.isConnected) opener.focus();
}

document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const panel = document.activeElement && document.activeElement.closest(".edit-panel");
  if (!panel || !panel.querySelector("[data-closes]")) return;
  event.preventDefault();
  closePanel(panel);
});

// A new plan's web identifier shown as it will be derived from its title (the server derives the same when
// the field is left empty; typing one there replaces it).
document.addEventListener("input", (event) => {
  const title = event.target.closest("[data-slug-source]");
  if (!title) return;
  const slug = document.getElementById(title.dataset.slugSource);
  if (!slug) return;
  slug.placeholder = fold(title.value).replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80);
});
