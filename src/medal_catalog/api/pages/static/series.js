// The series page's slice slider: show the chosen slice without reloading the page (the form works without it).
(function () {
  var slider = document.getElementById("slice");
  var image = document.getElementById("slice-image");
  var caption = document.getElementById("slice-caption");
  if (!slider || !image) return;
  var count = Number(image.dataset.count);
  var timer = null;
  function show() {
    var n = Number(slider.value);
    var text = "Slice " + (n + 1) + " of " + count;
    image.src = image.dataset.base + n;
    image.alt = text + " of " + image.dataset.heading;
    caption.textContent = text;
    slider.setAttribute("aria-valuetext", "slice " + (n + 1) + " of " + count);
  }
  slider.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(show, 60);
  });
  var button = slider.form && slider.form.querySelector("button");
  if (button) button.hidden = true;
})();
