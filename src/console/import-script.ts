import { contentTag } from "./styles";

/**
 * The import page's one script, plain browser JavaScript served from /app/assets/ under a name that changes with its
 * content, as the stylesheet is. A string rather than a file wrangler bundles: it is sent to the browser as written
 * (wrangler would add its helpers to a compiled function, and a text-module rule would be one more build setting for
 * a hundred lines), and its one test is the browser test, which runs it.
 *
 * What it adds to the page, which works without it up to the dry run: checking the file as soon as it is chosen (the
 * report replaces #report, taken from the same HTML page the form's POST answers), the mapping applied without
 * choosing the file again, and the load: an XMLHttpRequest (for its upload progress) to /app/import/load, then the
 * rescore followed at /app/import/runs/{id} until the scores are fresh.
 *
 * The mapping goes as the form field `mapping`, before the file (the upload reads only the fields before it).
 */
export const IMPORT_SCRIPT_JS = `"use strict";
(function () {
  var form = document.getElementById("import-form");
  if (!form) return;
  var fileInput = document.getElementById("file");
  var mappingInput = document.getElementById("mapping");
  var mappingNote = document.getElementById("mapping-note");
  var report = document.getElementById("report");
  var loading = document.getElementById("loading");
  var uploadBar = document.getElementById("upload-bar");
  var rescoreBar = document.getElementById("rescore-bar");
  var loadStatus = document.getElementById("load-status");
  var loadDone = document.getElementById("load-done");
  var pending = null;
  var loadRunning = false;

  function currentMapping() {
    try {
      var parsed = JSON.parse(mappingInput.value || "{}");
      return parsed && typeof parsed === "object" ? parsed : {};
    } catch (error) {
      return {};
    }
  }

  function setMapping(mapping) {
    mappingInput.value = Object.keys(mapping).length > 0 ? JSON.stringify(mapping) : "";
    if (mappingNote) mappingNote.hidden = true;
  }

  function uploadBody() {
    var data = new FormData();
    data.append("mapping", mappingInput.value);
    data.append("file", fileInput.files[0]);
    return data;
  }

  function say(container, text, isError) {
    var paragraph = document.createElement("p");
    paragraph.className = isError ? "error" : "note";
    if (isError) paragraph.setAttribute("role", "alert");
    paragraph.textContent = text;
    container.replaceChildren(paragraph);
  }

  function enhance() {
    var load = document.getElementById("load");
    if (load) {
      load.hidden = false;
      load.addEventListener("click", startLoad);
    }
    report.querySelectorAll(".needs-script").forEach(function (note) {
      note.remove();
    });
    var mappingForm = document.getElementById("mapping-form");
    if (mappingForm) mappingForm.addEventListener("submit", applyMapping);
  }

  function applyMapping(event) {
    event.preventDefault();
    var mapping = currentMapping();
    event.currentTarget.querySelectorAll("select[data-header]").forEach(function (select) {
      var header = select.getAttribute("data-header");
      if (select.value) mapping[header] = select.value;
      else delete mapping[header];
    });
    setMapping(mapping);
    check();
  }

  function check() {
    if (loadRunning || !fileInput.files || fileInput.files.length === 0) return;
    if (pending) pending.abort();
    pending = new AbortController();
    loading.hidden = true;
    report.setAttribute("aria-busy", "true");
    say(report, "Checking the file (dry run)…", false);
    fetch(form.action, { method: "POST", body: uploadBody(), signal: pending.signal, headers: { accept: "text/html" } })
      .then(function (response) {
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.getElementById("report");
          if (fresh) {
            report.replaceChildren.apply(report, Array.from(fresh.childNodes));
            enhance();
          } else {
            var reason = page.querySelector(".error");
            say(report, reason ? reason.textContent : "The check failed (HTTP " + response.status + ").", true);
          }
        });
      })
      .catch(function (error) {
        if (error.name !== "AbortError") say(report, "The check failed: " + error.message, true);
      })
      .finally(function () {
        report.removeAttribute("aria-busy");
      });
  }

  function startLoad(event) {
    var button = event.currentTarget;
    if (!fileInput.files || fileInput.files.length === 0) return;
    button.disabled = true;
    fileInput.disabled = true;
    loadRunning = true;
    loading.hidden = false;
    loadDone.hidden = true;
    uploadBar.value = 0;
    rescoreBar.value = 0;
    loadStatus.textContent = "Uploading the file…";
    document.getElementById("loading-title").focus();
    var request = new XMLHttpRequest();
    request.open("POST", "/app/import/load");
    request.setRequestHeader("accept", "application/json");
    request.responseType = "json";
    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) uploadBar.value = Math.round((progress.loaded / progress.total) * 100);
    });
    request.addEventListener("load", function () {
      var body = request.response;
      if (request.status === 200 && body) {
        uploadBar.value = 100;
        loadStatus.textContent = body.message + " Rescoring the accounts…";
        follow(body, 0);
      } else {
        fail(body && body.detail ? body.detail : "The load was refused (HTTP " + request.status + ").");
      }
    });
    request.addEventListener("error", function () {
      fail("The upload broke off: check the connection and load the file again (rows already stored are not changed).");
    });
    request.send(uploadBody());
  }

  function follow(result, attempt) {
    var url = "/app/import/runs/" + result.ingest_run_id + (result.rescore_job_id === null ? "" : "?job=" + result.rescore_job_id);
    fetch(url, { headers: { accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (status) {
        rescoreBar.value = Math.round(status.progress * 100);
        if (status.scores === "fresh") {
          loadStatus.textContent = result.message + " The scores are up to date.";
          loadDone.hidden = false;
          fileInput.disabled = false;
          loadRunning = false;
        } else if (status.scores === "behind") {
          fail(result.message + " " + status.detail);
          loadDone.hidden = false;
        } else {
          loadStatus.textContent = result.message + " " + status.detail;
          setTimeout(function () {
            follow(result, attempt + 1);
          }, Math.min(500 + attempt * 250, 3000));
        }
      })
      .catch(function (error) {
        fail("Following the rescore failed (" + error.message + "); the accounts list shows the scores once it is done.");
        loadDone.hidden = false;
      });
  }

  function fail(text) {
    var paragraph = document.createElement("p");
    paragraph.className = "error";
    paragraph.setAttribute("role", "alert");
    paragraph.textContent = text;
    loadStatus.replaceChildren(paragraph);
    fileInput.disabled = false;
    loadRunning = false;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    check();
  });
  fileInput.addEventListener("change", function () {
    setMapping({});
    check();
  });
  enhance();
})();
`;

export const IMPORT_SCRIPT = `/app/assets/import-${contentTag(IMPORT_SCRIPT_JS)}.js`;
