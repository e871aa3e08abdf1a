// The dashboard chart's tooltip: values on hover (pointer) and on focus (arrow keys move between points).
// Progressive enhancement: without this script each point keeps its SVG <title>, and the table is one click away.
document.querySelectorAll("[data-chart]").forEach((chart) => {
  const plot = chart.querySelector(".chart-plot");
  const svg = plot.querySelector("svg");
  const tip = plot.querySelector(".chart-tip");
  const guide = svg.querySelector(".guide");
  const bands = Array.from(svg.querySelectorAll(".band"));
  if (bands.length === 0) return;
  bands.forEach((band) => band.querySelector("title")?.remove());
  let current = -1;

  const show = (index) => {
    current = Math.max(0, Math.min(bands.length - 1, index));
    const band = bands[current];
    const x = Number(band.dataset.x);
    guide.setAttribute("x1", x);
    guide.setAttribute("x2", x);
    guide.setAttribute("visibility", "visible");
    tip.replaceChildren();
    const when = document.createElement("strong");
    when.textContent = band.dataset.label;
    tip.append(when);
    band.dataset.values.split(" · ").forEach((line) => {
      const row = document.createElement("span");
      row.textContent = line;
      tip.append(row);
    });
    tip.hidden = false;
    // Keep the tooltip inside the chart: left of the point on the right half, right of it otherwise.
    const share = x / svg.viewBox.baseVal.width;
    tip.style.left = share > 0.5 ? "" : `calc(${share * 100}% + 8px)`;
    tip.style.right = share > 0.5 ? `calc(${(1 - share) * 100}% + 8px)` : "";
  };
  const hide = () => {
    tip.hidden = true;
    guide.setAttribute("visibility", "hidden");
  };

  bands.forEach((band, index) => band.addEventListener("pointerenter", () => show(index)));
  svg.addEventListener("pointerleave", () => { if (document.activeElement !== plot) hide(); });
  plot.addEventListener("focus", () => show(current < 0 ? bands.length - 1 : current));
  plot.addEventListener("blur", hide);
  plot.addEventListener("keydown", (event) => {
    const moves = { ArrowLeft: -1, ArrowRight: 1, Home: -bands.length, End: bands.length };
    if (event.key in moves) {
      event.preventDefault();
      show(current + moves[event.key]);
    } else if (event.key === "Escape") {
      hide();
    }
  });
});
