// Leadkeep's small enhancements. Every page works without this file.
(function () {
	"use strict";

	// Dismiss a toast with its × button.
	document.addEventListener("click", function (e) {
		var btn = e.target.closest("[data-dismiss]");
		if (btn) {
			var toast = btn.closest("[data-toast]");
			if (toast) toast.remove();
		}
	});

	// Error toasts go away by themselves after a while.
	document.addEventListener("htmx:afterSwap", function (e) {
		var toasts = document.getElementById("toasts");
		if (!toasts || !toasts.contains(e.detail.elt)) return;
		toasts.querySelectorAll(".toast-error:not([data-timed])").forEach(function (t) {
			t.setAttribute("data-timed", "");
			setTimeout(function () { t.remove(); }, 8000);
		});
	});

	// "/" focuses the search box, as in most consoles.
	document.addEventListener("keydown", function (e) {
		if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
		var t = e.target;
		if (t.closest("input, textarea, select, [contenteditable]")) return;
		var q = document.getElementById("q");
		if (q) {
			e.preventDefault();
			q.focus();
			q.select();
		}
	});
})();
