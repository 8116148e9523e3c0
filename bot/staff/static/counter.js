// Counts the characters of every textarea with data-max into the counter its aria-describedby names
// (a static file: the Content-Security-Policy allows no inline script).
document.querySelectorAll("textarea[data-max]").forEach((area) => {
  const counter = document.getElementById(area.getAttribute("aria-describedby"));
  if (!counter) return;
  const output = counter.querySelector("output");
  const max = Number(area.dataset.max);
  const update = () => {
    output.textContent = String(area.value.trim().length);
    counter.classList.toggle("over", area.value.trim().length > max);
  };
  area.addEventListener("input", update);
  update();
});
