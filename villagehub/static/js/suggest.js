// Suggestions while typing in the site search: an ARIA 1.2 combobox with a list box
// (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/). Without JavaScript the search form
// works as it is; with it, titles that start with the typed words are offered under the box.
(function () {
  "use strict";
  var input = document.getElementById("site-search-q");
  var form = input && input.form;
  if (!input || !form || !window.fetch) return;
  var list = document.createElement("ul");
  list.id = "site-search-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", input.dataset.suggestLabel || "");
  list.hidden = true;
  form.appendChild(list);
  // A polite live region (not role=status, which pages keep for their own messages).
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("aria-live", "polite");
  form.appendChild(status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");

  var items = [], active = -1, timer = null, asked = "";

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    items.forEach(function (item, i) {
      item.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) input.setAttribute("aria-activedescendant", items[index].id);
    else input.removeAttribute("aria-activedescendant");
  }

  function show(suggestions) {
    list.textContent = "";
    items = suggestions.map(function (s, i) {
      var item = document.createElement("li");
      item.id = "site-search-suggestion-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.dataset.url = s.url;
      var title = document.createElement("span");
      title.textContent = s.title;
      var kind = document.createElement("span");
      kind.className = "n";
      kind.textContent = " · " + s.kind_label;
      item.appendChild(title);
      item.appendChild(kind);
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();
        window.location.href = s.url;
      });
      list.appendChild(item);
      return item;
    });
    status.textContent = (input.dataset.suggestCount || "%s").replace("%s", items.length);
    if (items.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    } else {
      close();
    }
  }

  function ask() {
    var query = input.value.trim();
    if (query.length < 2) { close(); return; }
    if (query === asked) return;
    asked = query;
    fetch(input.dataset.suggestUrl + "?q=" + encodeURIComponent(query))
      .then(function (response) { return response.json(); })
      .then(function (data) { if (data.query === input.value.trim()) show(data.suggestions); })
      .catch(close);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && items.length) {
      event.preventDefault();
      if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp" && items.length && !list.hidden) {
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
      event.preventDefault();
      window.location.href = items[active].dataset.url;
    } else if (event.key === "Escape") {
      if (!list.hidden) { event.preventDefault(); close(); } else { input.value = ""; }
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
