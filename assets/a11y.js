/*
 * Accessibility (WCAG 2.1 AA; tests/browser/test_a11y.py runs axe-core on every view).
 *
 * 1. The browser's title names what is shown ("Krami Stockholm 2023 – 2023 – Samverkan"):
 *    the page says it in data-document-title; Dash's router sets the page's fixed title
 *    after each navigation, so the title is put back whenever it differs. <html lang>
 *    follows the page's language.
 * 2. Dash's dropdown (dcc.Dropdown, the period picker), as the page draws it:
 *    - a hidden input that forwards focus to the button is focusable but aria-hidden
 *      (aria-hidden-focus): it leaves the tab order and the button itself takes the focus;
 *    - the button is named by its <label for> as well as its value ("Period 2023");
 *    - the open list's options are native radio buttons inside role="option" (nested
 *      interactive controls, an unnamed listbox): the list becomes a radio group named
 *      like the picker, its options plain labels of their radio buttons, which is what
 *      they are. The dropdown's keys (arrows, Page Up/Down, Home/End) are unchanged.
 */
(function () {
    "use strict";

    function fixTitle() {
        var marked = document.querySelector("[data-document-title]");
        var wanted = marked && marked.getAttribute("data-document-title");
        if (wanted && document.title !== wanted) { document.title = wanted; }
        // The document's language is the page's (?lang=en), for the title too.
        var lang = marked && marked.getAttribute("lang");
        if (lang && document.documentElement.lang !== lang) {
            document.documentElement.lang = lang;
        }
    }

    function labelOf(control) {
        if (!control.id) { return null; }
        var label = document.querySelector('label[for="' + CSS.escape(control.id) + '"]');
        if (label && !label.id) { label.id = control.id + "-label"; }
        return label;
    }

    function fixDropdowns(root) {
        root.querySelectorAll(".dash-dropdown-focus-target").forEach(function (input) {
            if (input.tabIndex !== -1) { input.tabIndex = -1; }
        });
        root.querySelectorAll("button.dash-dropdown").forEach(function (button) {
            if (!button.disabled && button.tabIndex !== 0) { button.tabIndex = 0; }
            var label = labelOf(button);
            var named = button.getAttribute("aria-labelledby") || "";
            if (label && named.split(" ").indexOf(label.id) < 0) {
                button.setAttribute("aria-labelledby", (label.id + " " + named).trim());
            }
        });
        root.querySelectorAll('.dash-dropdown-content [role="listbox"]').forEach(function (list) {
            list.setAttribute("role", "radiogroup");
            var wrapper = list.closest(".dash-dropdown-wrapper");
            var button = wrapper && wrapper.querySelector("button.dash-dropdown");
            var label = button && labelOf(button);
            if (label) { list.setAttribute("aria-labelledby", label.id); }
        });
        root.querySelectorAll('.dash-dropdown-content label[role="option"]').forEach(function (option) {
            option.removeAttribute("role");
            option.removeAttribute("aria-selected");
        });
        root.querySelectorAll(".dash-dropdown-content label[aria-selected]").forEach(function (option) {
            option.removeAttribute("aria-selected");
        });
        root.querySelectorAll("input.dash-dropdown-search:not([aria-label])").forEach(function (input) {
            if (input.placeholder) { input.setAttribute("aria-label", input.placeholder); }
        });
    }

    function fixAll() {
        fixTitle();
        fixDropdowns(document);
    }

    function start() {
        fixAll();
        // Changes of the page (navigation, a list opened or scrolled) and of the title.
        new MutationObserver(fixAll).observe(document.body, {
            childList: true, subtree: true, attributes: true,
            attributeFilter: ["data-document-title", "tabindex", "role", "aria-selected"],
        });
        var head = document.querySelector("head");
        if (head) {
            new MutationObserver(fixTitle).observe(head, {
                childList: true, subtree: true, characterData: true,
            });
        }
    }

    if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
