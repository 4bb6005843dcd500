// The print page's "Распечатать" button: shown only where JavaScript runs to press it.
document.querySelectorAll("[data-record-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
