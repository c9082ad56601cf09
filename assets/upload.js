/*
 * Upload from the browser (dashboard/pages/upload.py): the steward's file goes to
 * POST /upload/file as the request's body, so the progress bar can follow it (Dash's
 * dcc.Upload reads the whole file into the page first and shows no progress). When the
 * server has it, the page's store "upload-token" gets its token and the check runs.
 * The file input lives outside Dash's components (created here); the "Välj fil" button
 * opens it, and a file dropped on the drop zone is sent the same way.
 */
(function () {
    "use strict";

    var WORDS = {
        sv: {sending: "Skickar {name} …", received: "Mottagen: {name}. Kontrollerar …",
             failed: "Uppladdningen misslyckades. Försök igen.", choose: "Välj fil"},
        en: {sending: "Sending {name} …", received: "Received: {name}. Checking …",
             failed: "The upload failed. Please try again.", choose: "Choose a file"}
    };

    function words() {
        return WORDS[document.documentElement.lang === "en" ? "en" : "sv"];
    }

    function csrf() {
        var m = document.cookie.match(/(?:^|;\s*)_csrf_token=([^;]+)/);
        return m ? decodeURIComponent(m[1]) : "";
    }

    function setProps(id, props) {
        if (window.dash_clientside && window.dash_clientside.set_props) {
            window.dash_clientside.set_props(id, props);
        }
    }

    function status(text) { setProps("upload-status", {children: text}); }

    function send(file) {
        var zone = document.getElementById("upload-drop");
        if (!zone || !file) { return; }
        var most = Number(zone.getAttribute("data-max-bytes"));
        var tooLarge = zone.getAttribute("data-too-large") || words().failed;
        if (most && file.size > most) {  // the server would refuse it: not sent at all
            setProps("upload-progress", {value: 0, label: "", style: {display: "none"}});
            status(tooLarge);
            return;
        }
        var xhr = new XMLHttpRequest();
        xhr.open("POST", zone.getAttribute("data-url"));
        xhr.setRequestHeader("Content-Type", "application/octet-stream");
        xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name));
        xhr.setRequestHeader("X-CSRFToken", csrf());
        setProps("upload-progress", {value: 0, label: "0 %", style: {display: "flex"}});
        status(words().sending.replace("{name}", file.name));
        xhr.upload.onprogress = function (e) {
            if (e.lengthComputable) {
                var p = Math.round(100 * e.loaded / e.total);
                setProps("upload-progress", {value: p, label: p + " %"});
            }
        };
        xhr.onload = function () {
            var body = {};
            try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
            if (xhr.status === 200 && body.token) {
                setProps("upload-progress", {value: 100, label: "100 %"});
                status(words().received.replace("{name}", body.name));
                setProps("upload-token", {data: {token: body.token, name: body.name,
                                                 at: Date.now()}});
            } else if (xhr.status === 401) {
                window.location.reload();
            } else {
                setProps("upload-progress", {value: 0, label: "", style: {display: "none"}});
                // A proxy in front (nginx) refuses a large body with a page of its own.
                status(body.message || (xhr.status === 413 ? tooLarge : words().failed));
            }
        };
        xhr.onerror = function () {
            setProps("upload-progress", {value: 0, label: "", style: {display: "none"}});
            status(words().failed);
        };
        xhr.send(file);
    }

    function input() {
        var found = document.getElementById("upload-file-input");
        if (found) { return found; }
        found = document.createElement("input");
        found.type = "file";
        found.id = "upload-file-input";
        found.accept = ".xlsx,.xlsm,.csv,.zip";
        found.className = "visually-hidden";
        found.tabIndex = -1;
        found.setAttribute("aria-hidden", "true");
        found.setAttribute("aria-label", words().choose);
        found.addEventListener("change", function () {
            if (found.files && found.files[0]) { send(found.files[0]); }
            found.value = "";
        });
        document.body.appendChild(found);
        return found;
    }

    document.addEventListener("DOMContentLoaded", input);
    document.addEventListener("click", function (e) {
        if (e.target.closest && e.target.closest("#upload-choose")) { input().click(); }
    });
    function zoneOf(e) { return e.target.closest && e.target.closest("#upload-drop"); }
    document.addEventListener("dragover", function (e) {
        var zone = zoneOf(e);
        if (zone) { e.preventDefault(); zone.classList.add("dragging"); }
    });
    document.addEventListener("dragleave", function (e) {
        var zone = zoneOf(e);
        if (zone) { zone.classList.remove("dragging"); }
    });
    document.addEventListener("drop", function (e) {
        var zone = zoneOf(e);
        if (!zone) { return; }
        e.preventDefault();
        zone.classList.remove("dragging");
        if (e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0]) {
            send(e.dataTransfer.files[0]);
        }
    });
}());
