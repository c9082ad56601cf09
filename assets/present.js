/*
 * Presentation mode (/present/...): keys move between slides without asking the server.
 * → PageDown Space next · ← PageUp previous · Home End · F full screen · Esc leave.
 * Presentation clickers send PageDown/PageUp. The address follows the slide (?slide=N),
 * so a link opens at that slide.
 * A meeting's edit panel (beside the slides) shows the check-ins of the slide shown; keys
 * typed in it are the panel's. With data-loop (&loop=SECONDS) the slides move on by
 * themselves, round and round.
 */
(function () {
    function deck() { return document.getElementById("present"); }
    var lastMove = Date.now();

    function typing(target) {
        return !!(target && target.closest &&
                  target.closest("input, textarea, select, [contenteditable], .present-edit"));
    }

    function show(root, index) {
        var slides = root.querySelectorAll(".slide");
        var count = slides.length;
        if (!count) { return; }
        index = Math.max(1, Math.min(count, index));
        slides.forEach(function (s) {
            s.classList.toggle("current", Number(s.dataset.index) === index);
        });
        root.dataset.current = String(index);
        root.querySelectorAll(".edit-group").forEach(function (g) {
            g.hidden = Number(g.dataset.slide) !== index;
        });
        lastMove = Date.now();
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
        if (typing(event.target)) { return; }
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

    // A slide whose words do not fit (a cover with many targets, a meeting's chart with
    // the group's assessment of each of its targets under it) has them in smaller type, a
    // step at a time, until they fit and its chart keeps CHART_SHARE of the slide's height;
    // never under WORDS_FLOOR of the slide's type (16.5 px at 1024x768). Nothing is cut off
    // and no chart is squeezed to a thumbnail by the words around it.
    var CHART_SHARE = 0.6, WORDS_FLOOR = 0.75, WORDS_STEP = 0.05;
    function fitWords(slide) {
        slide.style.fontSize = "";
        var base = parseFloat(window.getComputedStyle(slide).fontSize);
        var box = slide.querySelector(".slide-graph");
        function crowded() {
            return slide.scrollHeight > slide.clientHeight + 1 ||
                (!!box && box.clientHeight < CHART_SHARE * slide.clientHeight);
        }
        for (var f = 1 - WORDS_STEP; f >= WORDS_FLOOR - 1e-9 && crowded(); f -= WORDS_STEP) {
            slide.style.fontSize = (base * f).toFixed(2) + "px";
        }
    }

    // Each slide's chart is drawn at the size of a 1024x768 slide and scaled to fill the
    // slide it is on (centred): the same picture at any screen size, only larger.
    function fit() {
        document.querySelectorAll("#present .slide").forEach(fitWords);
        document.querySelectorAll("#present .slide-graph").forEach(function (box) {
            var plot = box.querySelector(".js-plotly-plot");
            var svg = plot && plot.querySelector(".main-svg");
            if (!svg || !box.clientWidth) { return; }
            var width = Number(svg.getAttribute("width"));
            var height = Number(svg.getAttribute("height"));
            if (!width || !height) { return; }
            var scale = Math.min(box.clientWidth / width, box.clientHeight / height);
            plot.style.width = width + "px";
            plot.style.height = height + "px";
            plot.style.transformOrigin = "0 0";
            plot.style.transform = "scale(" + scale + ")";
            plot.style.marginLeft = Math.max(0, (box.clientWidth - width * scale) / 2) + "px";
        });
    }
    var pending = false;
    function fitSoon() {
        if (pending) { return; }
        pending = true;
        window.requestAnimationFrame(function () { pending = false; fit(); });
    }
    window.addEventListener("resize", fitSoon);
    document.addEventListener("fullscreenchange", fitSoon);
    new MutationObserver(function () { if (deck()) { fitSoon(); } })
        .observe(document.documentElement, {childList: true, subtree: true});

    // A click (or tap) on the slide moves on, as a clicker would.
    document.addEventListener("click", function (event) {
        var root = deck();
        if (!root || !root.contains(event.target) || event.target.closest("a") ||
            typing(event.target)) { return; }
        var current = Number(root.dataset.current || "1");
        show(root, event.clientX < window.innerWidth / 4 ? current - 1 : current + 1);
    });

    // A kiosk: the next slide every data-loop seconds, after the last the first again.
    var shown = null;
    window.setInterval(function () {
        var root = deck();
        if (root !== shown) { shown = root; lastMove = Date.now(); }
        if (!root || !root.dataset.loop) { return; }
        if (Date.now() - lastMove < Number(root.dataset.loop) * 1000) { return; }
        var current = Number(root.dataset.current || "1");
        var count = Number(root.dataset.count || "1");
        show(root, current >= count ? 1 : current + 1);
    }, 250);
})();
