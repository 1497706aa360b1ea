// cairn's only script, and an optional one: every page works without it.
// In the evidence grid, the arrow keys and Enter move between the fields
// as in a spreadsheet, so that a class's scores go in from the keyboard.
"use strict";
document.addEventListener("keydown", function (e) {
  var t = e.target;
  if (!t || t.tagName !== "INPUT" || !t.dataset.row) return;
  var row = +t.dataset.row, col = +t.dataset.col, dr = 0, dc = 0;
  switch (e.key) {
    case "ArrowDown": case "Enter": dr = 1; break;
    case "ArrowUp": dr = -1; break;
    case "ArrowLeft": if (t.selectionStart !== 0) return; dc = -1; break;
    case "ArrowRight": if (t.selectionEnd !== t.value.length) return; dc = 1; break;
    default: return;
  }
  var next = document.querySelector('input[data-row="' + (row + dr) + '"][data-col="' + (col + dc) + '"]');
  if (next) { e.preventDefault(); next.focus(); next.select(); }
});
