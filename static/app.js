// Leadkeep's small enhancements. Every page works without this file: dialogs are
// pages, Undo is a form, and the countdown is a number the server wrote.
(function () {
	"use strict";

	// The server's clock minus ours, so undo countdowns agree with the server's deadline.
	var skew = 0;
	var lastFocus = null;

	function ready() {
		document.documentElement.classList.add("js");
		syncBulk();
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

	// Keyboard: "/" focuses the search box, as in most consoles; "z" undoes the most
	// recent deletion whose toast is showing, as in Gmail.
	document.addEventListener("keydown", function (e) {
		if (e.ctrlKey || e.metaKey || e.altKey) return;
		if (e.target.closest("input, textarea, select, [contenteditable], dialog")) return;
		if (e.key === "/") {
			var q = document.getElementById("q");
			if (q) {
				e.preventDefault();
				q.focus();
				q.select();
			}
		} else if (e.key === "z") {
			var undos = document.querySelectorAll(".toast-undo .toast-action");
			if (undos.length) {
				e.preventDefault();
				undos[undos.length - 1].click();
			}
		}
	});

	// --- Selection for bulk actions -------------------------------------------
	// The selection lives in sessionStorage, per table (leads or Trash) and per
	// filter: it survives paging within the filter and is dropped when the filter
	// changes. "Select all matching" turns it into the filter itself.
	function bulkForm() { return document.querySelector("form[data-bulk-form]:not([data-bulk-off])"); }

	function storeKey(form) { return "leadkeep.selection:" + form.getAttribute("action"); }

	function loadSel(form) {
		var sel = null;
		try { sel = JSON.parse(sessionStorage.getItem(storeKey(form)) || "null"); } catch (e) { sel = null; }
		if (!sel || sel.filter !== form.dataset.filter) sel = { filter: form.dataset.filter, ids: [], all: false };
		return sel;
	}

	function saveSel(form, sel) { sessionStorage.setItem(storeKey(form), JSON.stringify(sel)); }

	// The boxes of a bulk form: inside it, or tied to it by a form="" attribute (the
	// Trash, whose rows hold forms of their own).
	function boxes(form) {
		return Array.prototype.filter.call(form.elements, function (el) { return el.matches("input[data-select]"); });
	}

	function headBox(form) {
		return form.querySelector("[data-select-page]") || document.querySelector('[data-select-page][form="' + form.id + '"]');
	}

	function inForm(form, el) { return form.contains(el) || el.form === form; }

	var lastClicked = null;

	function syncBulk() {
		var form = bulkForm();
		if (!form) return;
		var sel = loadSel(form);
		var bar = form.querySelector("[data-bulk-bar]");
		var page = boxes(form);
		page.forEach(function (b) { b.checked = sel.all || sel.ids.indexOf(b.value) >= 0; });
		var head = headBox(form);
		var allOnPage = page.length > 0 && page.every(function (b) { return b.checked; });
		if (head) {
			head.checked = allOnPage;
			head.indeterminate = !allOnPage && page.some(function (b) { return b.checked; });
		}
		var total = Number((form.querySelector("[data-select-all]") || {dataset: {}}).dataset.total || 0);
		var n = sel.all ? total : sel.ids.length;
		var count = bar.querySelector("[data-selected-count]");
		count.textContent = sel.all ? "All " + n.toLocaleString("en-US") + " matching this filter are selected" :
			n === 0 ? "" : n.toLocaleString("en-US") + " selected";
		bar.classList.toggle("active", sel.all || n > 0);
		var selectAll = bar.querySelector("[data-select-all]");
		if (selectAll) selectAll.hidden = sel.all || !allOnPage || total <= page.length;
		bar.querySelector("[data-clear-selection]").hidden = !(sel.all || n > 0);
		bar.querySelector("[data-all-matching]").value = sel.all ? "1" : "";
		bar.querySelectorAll("[data-needs-selection]").forEach(function (b) { b.disabled = !(sel.all || n > 0); });
	}

	document.addEventListener("change", function (e) {
		var form = bulkForm();
		if (!form || !inForm(form, e.target)) return;
		var sel = loadSel(form);
		if (e.target.matches("[data-select-page]")) {
			sel.all = false;
			boxes(form).forEach(function (b) { setId(sel, b.value, e.target.checked); });
		} else if (e.target.matches("input[data-select]")) {
			if (sel.all) { // unticking one leaves "all matching" for the list on this page
				sel.all = false;
				sel.ids = boxes(form).map(function (b) { return b.value; });
			}
			setId(sel, e.target.value, e.target.checked);
		} else {
			return;
		}
		saveSel(form, sel);
		syncBulk();
	});

	function setId(sel, id, on) {
		var i = sel.ids.indexOf(id);
		if (on && i < 0) sel.ids.push(id);
		if (!on && i >= 0) sel.ids.splice(i, 1);
	}

	// Shift-click ticks (or unticks) the range from the last box clicked.
	document.addEventListener("click", function (e) {
		var box = e.target.closest && e.target.closest("input[data-select]");
		var form = bulkForm();
		if (!box || !form) return;
		var page = boxes(form);
		if (e.shiftKey && lastClicked && page.indexOf(lastClicked) >= 0) {
			var a = page.indexOf(lastClicked), b = page.indexOf(box);
			var sel = loadSel(form);
			sel.all = false;
			page.slice(Math.min(a, b), Math.max(a, b) + 1).forEach(function (x) {
				x.checked = box.checked;
				setId(sel, x.value, box.checked);
			});
			saveSel(form, sel);
			syncBulk();
		}
		lastClicked = box;
	});

	document.addEventListener("click", function (e) {
		var form = bulkForm();
		if (!form || !e.target.closest) return;
		if (e.target.closest("[data-select-all]")) {
			var sel = loadSel(form);
			sel.all = true;
			sel.ids = [];
			saveSel(form, sel);
			syncBulk();
		} else if (e.target.closest("[data-clear-selection]")) {
			saveSel(form, { filter: form.dataset.filter, ids: [], all: false });
			syncBulk();
		} else if (e.target.closest("[data-export-selection]")) {
			// The whole selection, across pages: its ids, or for "all matching" the filter.
			e.preventDefault();
			var chosen = loadSel(form);
			var params = new URLSearchParams({ format: "csv" });
			if (chosen.all) {
				["pool", "status", "q"].forEach(function (n) {
					var f = form.elements[n];
					if (f && f.value) params.set(n, f.value);
				});
			} else {
				chosen.ids.forEach(function (id) { params.append("ids", id); });
			}
			window.location.href = "/leads/export?" + params.toString();
		}
	});

	// A bulk request carries the whole selection, not only the boxes on this page.
	document.addEventListener("htmx:configRequest", function (e) {
		var form = bulkForm();
		if (!form || !form.contains(e.detail.elt)) return;
		var sel = loadSel(form);
		var params = e.detail.parameters; // FormData in htmx 2
		if (params.delete) params.delete("ids");
		if (sel.all) {
			params.set("all_matching", "1");
		} else {
			params.delete("all_matching");
			sel.ids.forEach(function (id) { params.append("ids", id); });
		}
	});

	// After a bulk action the selection is spent.
	document.addEventListener("htmx:afterRequest", function (e) {
		var cfg = e.detail.requestConfig;
		if (!e.detail.successful || !cfg || cfg.verb !== "post") return;
		if (/\/(bulk-delete|bulk-restore|bulk-purge)$/.test(cfg.path) && !(cfg.parameters && cfg.parameters.get && cfg.parameters.get("preview"))) {
			Object.keys(sessionStorage).forEach(function (k) { if (k.indexOf("leadkeep.selection:") === 0) sessionStorage.removeItem(k); });
		}
	});

	document.addEventListener("htmx:afterSettle", syncBulk);

	if (document.readyState === "loading") {
		document.addEventListener("DOMContentLoaded", ready);
	} else {
		ready();
	}
})();
