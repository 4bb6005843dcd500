// "Near me": the browser's location fills the search's coordinates and sends the form.
// Without JavaScript (or without a location) the button stays hidden and the address field
// does the same job.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("club-near-me");
  if (!button || !("geolocation" in navigator)) return;
  const status = document.getElementById("club-near-me-status");
  button.hidden = false;
  button.addEventListener("click", () => {
    const form = button.form;
    button.disabled = true;
    status.textContent = button.dataset.asking;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        form.elements.lat.value = position.coords.latitude.toFixed(5);
        form.elements.lon.value = position.coords.longitude.toFixed(5);
        form.requestSubmit();
      },
      () => {
        button.disabled = false;
        status.textContent = button.dataset.refused;
      },
      { timeout: 10000, maximumAge: 600000 },
    );
  });
});
