// pexops configuration pages: inline alias editing, select-all on lists, and fields shown by
// service type. Every page works without this file; it only makes editing quicker. Values
// typed by operators or sent by Pexip are only ever set with .value and .textContent.
(function () {
  "use strict";

  // aliasEditor replaces the one-alias-a-line textarea by one input per alias, with Remove
  // and Add buttons. The textarea stays in the form (hidden) and is what gets submitted.
  function aliasEditor(area) {
    var list = document.createElement("ul");
    list.className = "alias-editor";
    list.setAttribute("data-test", "alias-editor");
    list.style.listStyle = "none";
    list.style.padding = "0";

    function sync() {
      var values = [];
      list.querySelectorAll("input").forEach(function (input) {
        var v = input.value.trim();
        if (v !== "") {
          values.push(v);
        }
      });
      area.value = values.join("\n");
    }

    function addRow(value, focus) {
      var li = document.createElement("li");
      li.setAttribute("data-test", "alias-row");
      var input = document.createElement("input");
      input.type = "text";
      input.size = 50;
      input.value = value;
      input.setAttribute("aria-label", "Alias");
      input.setAttribute("data-test", "alias-input");
      input.addEventListener("input", sync);
      var remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "Remove";
      remove.setAttribute("data-test", "alias-remove");
      remove.addEventListener("click", function () {
        li.remove();
        sync();
      });
      li.appendChild(input);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(remove);
      list.appendChild(li);
      if (focus) {
        input.focus();
      }
    }

    area.value.split(/\r?\n/).forEach(function (line) {
      if (line.trim() !== "") {
        addRow(line.trim(), false);
      }
    });
    var add = document.createElement("button");
    add.type = "button";
    add.textContent = "Add alias";
    add.setAttribute("data-test", "alias-add");
    add.addEventListener("click", function () {
      addRow("", true);
    });
    area.hidden = true;
    area.parentNode.insertBefore(list, area);
    area.parentNode.insertBefore(add, area);
    if (area.disabled || area.closest("fieldset[disabled]")) {
      add.disabled = true;
      list.querySelectorAll("input, button").forEach(function (el) {
        el.disabled = true;
      });
    }
  }

  // selectAll ticks every checkbox of the same name in the form.
  function selectAll(box) {
    var name = box.getAttribute("data-select-all");
    box.addEventListener("change", function () {
      box.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (cb) {
        cb.checked = box.checked;
      });
    });
  }

  // typeFields shows only the fields that apply to the chosen service type.
  function typeFields(select) {
    function apply() {
      document.querySelectorAll(".field[data-types]").forEach(function (field) {
        var types = field.getAttribute("data-types").split(" ");
        field.hidden = types.indexOf(select.value) < 0;
      });
    }
    select.addEventListener("change", apply);
    apply();
  }

  function init() {
    document.querySelectorAll("textarea[data-aliases]").forEach(aliasEditor);
    document.querySelectorAll("input[data-select-all]").forEach(selectAll);
    var type = document.querySelector('form[data-test="service-form"] select[name="service_type"]');
    if (type) {
      typeFields(type);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
