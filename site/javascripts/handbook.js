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
  // Dates and numbers in table cells stay on one line: "2026-11-20" may otherwise break after a hyphen
  var NUMBER = /[+\-\u2212]?\d[\d.,:\/%\-]*[\d%]/g;
  function keepNumbersWhole() {
    document.querySelectorAll("article td, article th").forEach(function (cell) {
      var walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT), nodes = [], node;
      while ((node = walker.nextNode())) {
        if (!(node.parentElement && node.parentElement.closest(".hb-nw, .hb-text"))) nodes.push(node);
      }
      nodes.forEach(function (text) {
        var value = text.nodeValue, last = 0, m, parts = document.createDocumentFragment();
        NUMBER.lastIndex = 0;
        while ((m = NUMBER.exec(value))) {
          if (!/[-\/:]/.test(m[0])) continue;   // other numbers hold no break opportunity
          parts.appendChild(document.createTextNode(value.slice(last, m.index)));
          var span = document.createElement("span");
          span.className = "hb-nw";
          span.textContent = m[0];
          parts.appendChild(span);
          last = m.index + m[0].length;
        }
        if (last === 0) return;
        parts.appendChild(document.createTextNode(value.slice(last)));
        text.parentNode.replaceChild(parts, text);
      });
    });
  }
  function ready() { keepNumbersWhole(); mark(); }
  if (typeof document$ !== "undefined") document$.subscribe(ready); else document.addEventListener("DOMContentLoaded", ready);
  var timer;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(mark, 150); });
})();
