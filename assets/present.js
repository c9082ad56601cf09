/*
 * Presentation mode (/present/...): keys move between slides without asking the server.
 * → PageDown Space next · ← PageUp previous · Home End · F full screen · Esc leave.
 * Presentation clickers send PageDown/PageUp. The address follows the slide (?slide=N),
 * so a link opens at that slide.
 */
(function () {
    function deck() { return document.getElementById("present"); }

    function show(root, index) {
        var slides = root.querySelectorAll(".slide");
        var count = slides.length;
        if (!count) { return; }
        index = Math.max(1, Math.min(count, index));
        slides.forEach(function (s) {
            s.classList.toggle("current", Number(s.dataset.index) === index);
        });
        root.dataset.current = String(index);
        var counter = document.getElementById("slide-number");
        if (counter) { counter.textContent = index + " / " + count; }
        var url = new URL(window.location.href);
        url.searchParams.set("slide", String(index));
        window.history.replaceState(window.history.state, "", url.toString());
        // Graphs drawn while hidden take their size when shown.
        window.dispatchEvent(new Event("resize"));
    }

    document.addEventListener("keydown", function (event) {
        var root = deck();
        if (!root || event.altKey || event.ctrlKey || event.metaKey) { return; }
        var current = Number(root.dataset.current || "1");
        var count = Number(root.dataset.count || "1");
        switch (event.key) {
            case "ArrowRight": case "PageDown": case " ": case "ArrowDown":
                show(root, current + 1); break;
            case "ArrowLeft": case "PageUp": case "ArrowUp": case "Backspace":
                show(root, current - 1); break;
            case "Home": show(root, 1); break;
            case "End": show(root, count); break;
            case "f": case "F":
                if (document.fullscreenElement) { document.exitFullscreen(); }
                else if (root.requestFullscreen) { root.requestFullscreen(); }
                break;
            case "Escape":
                if (document.fullscreenElement) { return; }  // the browser leaves full screen
                window.location.href = root.dataset.exit;
                break;
            default: return;
        }
        event.preventDefault();
    });

    // A click (or tap) on the slide moves on, as a clicker would.
    document.addEventListener("click", function (event) {
        var root = deck();
        if (!root || !root.contains(event.target) || event.target.closest("a")) { return; }
        var current = Number(root.dataset.current || "1");
        show(root, event.clientX < window.innerWidth / 4 ? current - 1 : current + 1);
    });
})();
