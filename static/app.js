// Leadkeep's small enhancements. Every page works without this file: dialogs are
// pages, Undo is a form, and the countdown is a number the server wrote.
(function () {
	"use strict";

	// The server's clock minus ours, so undo countdowns agree with the server's deadline.
	var skew = 0;
	var lastFocus = null;

	function ready() {
		var now = Number(document.body.dataset.now);
		if (now) skew = now - Date.now();
		tick();
		setInterval(tick, 250);
		timeToasts(document);
	}

	// Undo toasts count down to their deadline, then go.
	function tick() {
		document.querySelectorAll("[data-deadline]").forEach(function (t) {
			// Never more than the window: a clock skew of a few milliseconds must not show 11.
			var left = Math.min(Number(t.dataset.window) || 10, Math.ceil((Number(t.dataset.deadline) - (Date.now() + skew)) / 1000));
			if (left <= 0) {
				t.remove();
				return;
			}
			var c = t.querySelector("[data-countdown]");
			if (c && c.textContent !== String(left)) c.textContent = String(left);
		});
	}

	// Information toasts go away by themselves; error toasts stay a little longer.
	function timeToasts(root) {
		root.querySelectorAll(".toast:not([data-deadline]):not([data-timed])").forEach(function (t) {
			t.setAttribute("data-timed", "");
			setTimeout(function () { t.remove(); }, t.classList.contains("toast-error") ? 10000 : 6000);
		});
	}

	document.addEventListener("click", function (e) {
		// Dismiss a toast with its × button.
		var btn = e.target.closest("[data-dismiss]");
		if (btn) {
			var toast = btn.closest("[data-toast]");
			if (toast) toast.remove();
			return;
		}
		// Cancel, or a click on the backdrop outside the dialog box, closes it.
		var dlg = e.target.closest("dialog[data-dialog]");
		if (dlg && (e.target.closest("[data-close]") || e.target === dlg)) {
			dlg.close();
		}
	});

	// Remember what opened a dialog, to give focus back when it closes.
	document.addEventListener("htmx:beforeRequest", function (e) {
		var target = e.detail.target;
		if (target && target.id === "dialog") lastFocus = e.detail.elt;
	});

	document.addEventListener("htmx:afterSwap", function (e) {
		var dlg = document.querySelector("#dialog dialog[data-dialog]:not([open])");
		if (dlg) {
			dlg.addEventListener("close", function () {
				dlg.remove();
				restoreFocus();
			});
			dlg.showModal();
			var first = dlg.querySelector("[autofocus]") || dlg.querySelector("select, textarea, input:not([type=hidden]), button");
			if (first) first.focus();
		}
		timeToasts(document);
	});

	// A dialog closed by the server's answer (the delete went through): focus goes
	// back to the opener, or to the main region if the opener's row is gone.
	document.addEventListener("htmx:afterSettle", function () {
		if (lastFocus && !document.querySelector("#dialog dialog[open]")) restoreFocus();
	});

	function restoreFocus() {
		var el = lastFocus;
		lastFocus = null;
		if (el && el.isConnected) {
			el.focus();
		} else {
			var main = document.getElementById("main");
			if (main) main.focus();
		}
	}

	// "/" focuses the search box, as in most consoles.
	document.addEventListener("keydown", function (e) {
		if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
		if (e.target.closest("input, textarea, select, [contenteditable]")) return;
		var q = document.getElementById("q");
		if (q) {
			e.preventDefault();
			q.focus();
			q.select();
		}
	});

	if (document.readyState === "loading") {
		document.addEventListener("DOMContentLoaded", ready);
	} else {
		ready();
	}
})();
