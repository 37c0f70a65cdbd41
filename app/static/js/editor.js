// Writing aids for the Markdown boxes of the forum and the labs (the boxes their forms mark
// data-mentions): a toolbar that only inserts Markdown, a live preview under the box, rendered by
// the server as on save (POST /schrijven/voorbeeld, app/blueprints/editor; the address and the
// place on this script's tag), and "Citeer" for text selected in a forum post, which puts exactly
// that text as a quote with a link back to the post in the reply box. Without this script the
// form's "Voorbeeld" button and each post's "Citeren" link (a page load each) do the same.
(function () {
  "use strict";

  var script = document.currentScript;
  var url = script && script.getAttribute("data-voorbeeld");
  var place = script && script.getAttribute("data-plek");
  if (!url || !place || !window.fetch || !window.AbortController) { return; }

  var WAIT = 500; // ms after the last key before the preview is asked again
  var count = 0;

  // Put `text` in place of [start, end) of the box and select [from, to) of it. Through the
  // browser's own editing where it can, so Ctrl+Z undoes it; either way the box hears "input"
  // (drafts.js saves, mentions.js looks).
  function put(box, start, end, text, from, to) {
    box.focus();
    box.setSelectionRange(start, end);
    var done = false;
    try { done = document.execCommand("insertText", false, text); } catch (ignore) { done = false; }
    if (!done) {
      box.setRangeText(text, start, end, "end");
      box.dispatchEvent(new Event("input", { bubbles: true }));
    }
    box.setSelectionRange(start + from, start + to);
  }

  // The selection between `before` and `after` (its spaces outside them, or Markdown would not
  // see them), or `example` selected between them.
  function wrap(box, before, after, example) {
    var start = box.selectionStart, end = box.selectionEnd;
    var chosen = box.value.slice(start, end);
    var inner = chosen.trim() || example;
    if (chosen.trim()) {
      start += chosen.length - chosen.replace(/^\s+/, "").length;
      end -= chosen.length - chosen.replace(/\s+$/, "").length;
    }
    put(box, start, end, before + inner + after, before.length, before.length + inner.length);
  }

  // Each line of the selection (whole lines) starts with `prefix`; a blank line before the block,
  // or Markdown would glue it to the paragraph above.
  function lines(box, prefix, example, firstOnly) {
    var value = box.value, start = box.selectionStart, end = box.selectionEnd;
    var from = value.lastIndexOf("\n", start - 1) + 1;
    var to = end > start && value.charAt(end - 1) === "\n" ? end - 1 : value.indexOf("\n", end);
    if (to < 0) { to = value.length; }
    var block = value.slice(from, to);
    var empty = !block.trim();
    var text = (empty ? example : block).split("\n").map(function (line, i) {
      return !firstOnly || i === 0 ? prefix + line : line;
    }).join("\n");
    var lead = from > 0 && value.charAt(from - 2) !== "\n" ? "\n" : "";
    put(box, from, to, lead + text, lead.length + (empty ? prefix.length : 0), lead.length + text.length);
  }

  function link(box) {
    var start = box.selectionStart, end = box.selectionEnd;
    var chosen = box.value.slice(start, end).trim();
    var label = chosen || "tekst van de link";
    var text = "[" + label + "](https://)";
    // With a chosen text the address is what is still to type; else the link's text.
    var from = chosen ? label.length + 3 : 1;
    put(box, start, end, text, from, chosen ? text.length - 1 : 1 + label.length);
  }

  function image(box) {
    var field = document.querySelector('.post-images[data-tekstvak="' + box.id + '"] input[type=file]');
    if (field) { field.click(); return; } // images.js uploads it and puts its Markdown in the box
    wrap(box, "![", "](adres-van-de-afbeelding)", "beschrijving van de afbeelding");
  }

  var TOOLS = [
    ["Vet", "editor-tool-bold", function (box) { wrap(box, "**", "**", "vette tekst"); }, "Control+B"],
    ["Cursief", "editor-tool-italic", function (box) { wrap(box, "*", "*", "schuine tekst"); }, "Control+I"],
    ["Link", "", link],
    ["Lijst", "", function (box) { lines(box, "- ", "punt"); }],
    ["Citaat", "", function (box) { lines(box, "> ", "citaat"); }],
    ["Kop", "", function (box) { lines(box, "## ", "Kop", true); }],
    ["Afbeelding", "", image]
  ];

  function toolbar(box, togglePreview) {
    var bar = document.createElement("div");
    bar.className = "editor-toolbar btn-toolbar gap-1 mb-1";
    bar.setAttribute("role", "toolbar");
    // Named without the box's label, which stays the name of the box alone (aria-controls ties
    // the two together).
    bar.setAttribute("aria-label", "Opmaak");
    bar.setAttribute("aria-controls", box.id);
    var buttons = TOOLS.map(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-secondary editor-tool " + tool[1];
      button.textContent = tool[0];
      if (tool[3]) { button.setAttribute("aria-keyshortcuts", tool[3]); }
      button.addEventListener("click", function () { tool[2](box); });
      return button;
    });
    buttons.push(togglePreview);
    buttons.forEach(function (button, i) {
      button.tabIndex = i === 0 ? 0 : -1;
      bar.appendChild(button);
    });
    // One tab stop; the arrows, Home and End move within the toolbar (roving tabindex).
    bar.addEventListener("keydown", function (event) {
      var at = buttons.indexOf(document.activeElement);
      if (at < 0) { return; }
      var next = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1,
                   Home: 0, End: buttons.length - 1 }[event.key];
      if (next === undefined) { return; }
      event.preventDefault();
      next = (next + buttons.length) % buttons.length;
      buttons[at].tabIndex = -1;
      buttons[next].tabIndex = 0;
      buttons[next].focus();
    });
    box.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) { return; }
      var key = event.key.toLowerCase();
      if (key === "b" || key === "i") {
        event.preventDefault();
        TOOLS[key === "b" ? 0 : 1][2](box);
      }
    });
    return bar;
  }

  // The preview: shown with the toolbar's "Voorbeeld tonen", then kept up to date while typing.
  // The region itself is not live (a screen reader would read the whole text at every pause);
  // a short polite status says when it is shown, and when a mention will reach nobody.
  function preview(box, id) {
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "btn btn-sm btn-outline-primary editor-tool editor-preview-toggle";
    toggle.textContent = "Voorbeeld tonen";
    toggle.setAttribute("aria-pressed", "false");
    toggle.setAttribute("aria-controls", id);

    var region = document.createElement("section");
    region.id = id;
    region.className = "card mb-3 editor-preview";
    region.setAttribute("aria-label", "Voorbeeld tijdens het typen");
    region.hidden = true;
    var head = document.createElement("p");
    head.className = "card-header small mb-0";
    head.textContent = "Voorbeeld (nog niet geplaatst): zo komt het eruit te zien.";
    var notes = document.createElement("ul");
    notes.className = "alert alert-warning mention-notes m-3 mb-0 ps-4";
    notes.hidden = true;
    var body = document.createElement("div");
    body.className = "card-body forum-body lab-body editor-preview-body";
    region.appendChild(head);
    region.appendChild(notes);
    region.appendChild(body);
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    var token = box.form && box.form.elements.csrf_token ? box.form.elements.csrf_token.value : "";
    var shown = false, sent = null, timer = null, request = null, told = "";

    function say(text) { status.textContent = text; }

    function fill(data) {
      body.textContent = "";
      if (data.html) {
        body.innerHTML = data.html; // sanitised on the server, exactly as a saved post
      } else {
        var empty = document.createElement("p");
        empty.className = "text-muted fst-italic";
        empty.textContent = "Er staat nog niets in het tekstvak.";
        body.appendChild(empty);
      }
      notes.textContent = "";
      (data.notities || []).forEach(function (note) {
        var item = document.createElement("li");
        item.textContent = note;
        notes.appendChild(item);
      });
      notes.hidden = !notes.children.length;
      var now = notes.textContent;
      if (now && now !== told) { say("Let op: " + (data.notities || []).join(" ")); }
      told = now;
    }

    function refused(response, data) {
      if (data && data.fout) { return data.fout; }
      if (response.status === 429) { return "Het voorbeeld wordt even niet bijgewerkt: je vroeg het vaak in korte tijd."; }
      if (response.status === 400) { return "Het formulier is verlopen. Laad de pagina opnieuw."; }
      return "Het voorbeeld kon niet worden bijgewerkt.";
    }

    function update() {
      clearTimeout(timer);
      if (!shown || box.value === sent) { return; }
      sent = box.value;
      if (request) { request.abort(); }
      request = new AbortController();
      fetch(url, {
        method: "POST", credentials: "same-origin", signal: request.signal,
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ plek: place, tekst: sent })
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
        return (json ? response.json() : Promise.resolve(null)).then(function (data) {
          if (!response.ok || !data || typeof data.html !== "string") { throw { fout: refused(response, data) }; }
          region.removeAttribute("aria-busy");
          fill(data);
        });
      }).catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        sent = null; // try again with the next change
        region.removeAttribute("aria-busy");
        var message = error && error.fout ? error.fout : "Geen verbinding: het voorbeeld is niet bijgewerkt.";
        body.textContent = "";
        var problem = document.createElement("p");
        problem.className = "text-danger mb-0";
        problem.textContent = message;
        body.appendChild(problem);
        say(message);
      });
      region.setAttribute("aria-busy", "true");
    }

    toggle.addEventListener("click", function () {
      shown = !shown;
      toggle.setAttribute("aria-pressed", String(shown));
      region.hidden = !shown;
      if (shown) {
        say("Het voorbeeld staat onder het tekstvak en loopt mee terwijl je typt.");
        sent = null;
        update();
      } else {
        say("");
        if (request) { request.abort(); }
      }
    });
    box.addEventListener("input", function () {
      if (!shown) { return; }
      clearTimeout(timer);
      timer = setTimeout(update, WAIT);
    });
    return { toggle: toggle, region: region, status: status };
  }

  function setUp(box) {
    if (box.getAttribute("data-editor")) { return; }
    box.setAttribute("data-editor", "1");
    count += 1;
    if (!box.id) { box.id = "tekstvak-" + count; }
    var parts = preview(box, box.id + "-voorbeeld");
    box.insertAdjacentElement("beforebegin", toolbar(box, parts.toggle));
    var field = box.parentElement && box.parentElement.classList.contains("mb-3") ? box.parentElement : box;
    field.insertAdjacentElement("afterend", parts.region);
    parts.region.insertAdjacentElement("afterend", parts.status);
    if (box.hasAttribute("autofocus")) { // "Citeren" without this script: go on below the quote
      box.setSelectionRange(box.value.length, box.value.length);
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-mentions]"), setUp);

  // -- "Citeer": a selection in a forum post, quoted in the reply box -------------------------------

  var reply = document.querySelector("#antwoord textarea");
  if (!reply || !document.querySelector("[data-citeer-kop]")) { return; }
  var button = document.createElement("button");
  button.type = "button";
  button.className = "btn btn-sm btn-primary quote-selection";
  button.textContent = "Citeer";
  button.hidden = true;
  var chosen = null; // {text, header, body} of the selection the button quotes
  var caret = -1; // where the reply box's cursor was last put (-1: never)
  var timer = null;
  ["input", "keyup", "mouseup", "select"].forEach(function (type) {
    reply.addEventListener(type, function () { caret = reply.selectionEnd; });
  });

  function hide() {
    button.hidden = true;
    chosen = null;
  }

  // Just under the end of the selection (the post's card-body is positioned, see site.css).
  function position(range, body) {
    var holder = body.parentElement;
    var rects = range.getClientRects();
    var end = rects.length ? rects[rects.length - 1] : range.getBoundingClientRect();
    var frame = holder.getBoundingClientRect();
    var left = Math.max(0, Math.min(end.right - frame.left - 20, holder.clientWidth - button.offsetWidth));
    button.style.top = Math.round(end.bottom - frame.top + 6) + "px";
    button.style.left = Math.round(left) + "px";
  }

  function check() {
    if (document.activeElement === button) { return; }
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) { hide(); return; }
    var range = selection.getRangeAt(0);
    var node = range.commonAncestorContainer;
    var element = node.nodeType === 1 ? node : node.parentElement;
    var body = element && element.closest(".forum-body");
    var post = body && body.closest("[data-citeer-kop]");
    var text = selection.toString().replace(/\r\n?/g, "\n").replace(/\u00a0/g, " ").trim();
    if (!post || !text) { hide(); return; }
    chosen = { text: text, header: post.getAttribute("data-citeer-kop"), body: body };
    if (button.previousElementSibling !== body) { body.insertAdjacentElement("afterend", button); }
    button.hidden = false;
    position(range, body);
  }

  function quote() {
    if (!chosen) { return; }
    var quoted = chosen.text.split("\n").map(function (line) {
      line = line.replace(/\s+$/, "");
      return line ? "> " + line : ">";
    });
    var block = chosen.header + "\n" + quoted.join("\n") + "\n\n";
    var value = reply.value;
    // At the box's cursor (remembered: selecting in a post may move it), else at the end.
    var at = caret < 0 ? value.length : Math.min(caret, value.length);
    hide();
    window.getSelection().removeAllRanges();
    var before = value.slice(0, at);
    var lead = !before.trim() || /\n\n$/.test(before) ? "" : (/\n$/.test(before) ? "\n" : "\n\n");
    var text = lead + block;
    put(reply, at, at, text, text.length, text.length);
    reply.scrollIntoView({ block: "center" });
  }

  document.addEventListener("selectionchange", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 200);
  });
  document.addEventListener("mouseup", function (event) {
    if (event.target !== button) { setTimeout(check, 0); }
  });
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Escape" && event.target !== button) { check(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || button.hidden) { return; }
    var back = document.activeElement === button && chosen ? chosen.body : null;
    hide();
    if (back) { // not to the top of the page: to the post the selection was in
      back.tabIndex = -1;
      back.focus();
    }
  });
  button.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep the selection
  button.addEventListener("click", quote);
})();
