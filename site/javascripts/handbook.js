/* Wide tables: Material wraps every table in a box that scrolls sideways when the table is wider than the
   page. Such a box gets keyboard focus (WCAG 2.1.1: arrow keys scroll it), a name for screen readers (the
   heading above it) and a visible hint that it scrolls. Boxes that fit lose all three. */
(function () {
  function label(box) {
    var el = box;
    while (el && el.parentElement && !el.previousElementSibling) el = el.parentElement;
    for (el = el && el.previousElementSibling; el; el = el.previousElementSibling) {
      if (/^H[1-6]$/.test(el.tagName)) return el.textContent.replace(/¶$/, "").trim();
    }
    return "表格";
  }
  function mark() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      var hint = box.previousElementSibling;
      var hasHint = hint && hint.classList && hint.classList.contains("hb-scroll-hint");
      if (wide) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", label(box) + "（表格可左右滑动）");
        if (!hasHint) {
          hint = document.createElement("p");
          hint.className = "hb-scroll-hint";
          hint.textContent = "← 表格较宽，可左右滑动查看 →";
          box.parentNode.insertBefore(hint, box);
        }
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        if (hasHint) hint.remove();
      }
    });
  }
  if (typeof document$ !== "undefined") document$.subscribe(mark); else document.addEventListener("DOMContentLoaded", mark);
  var timer;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(mark, 150); });
})();
