// The desk's page script: posts the changed fields to be checked, shows
// each message at its field and the pages beside the form, and saves.
"use strict";

const token = document.querySelector('meta[name="gongwen-token"]').content;

async function post(url, body, raw) {
  const r = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": raw ? "application/octet-stream" : "application/json",
      "X-Gongwen-Token": token,
    },
    body: raw ? body : JSON.stringify(body),
  });
  let data = {};
  try { data = await r.json(); } catch (e) { data = { message: "服务没有回应，请确认 gongwen serve 仍在运行" }; }
  return { status: r.status, data };
}

function newReport(form) {
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = Object.fromEntries(new FormData(form).entries());
    const msg = form.querySelector(".message");
    msg.textContent = "正在新建…";
    const { status, data } = await post("/api/new", body);
    if (status === 200) location.href = data.url;
    else msg.textContent = data.message;
  });
}

function desk(form) {
  const file = form.dataset.file;
  const fields = () => Array.from(form.querySelectorAll("input[name], textarea[name], select[name]"));
  // A checkbox says true or false, as the data file writes it.
  const value = (el) => (el.type === "checkbox" ? String(el.checked) : el.value);
  let initial = new Map(fields().map((el) => [el.name, value(el)]));
  let version = form.dataset.version;
  let timer = null;
  let seq = 0;
  const state = document.getElementById("state");
  const message = document.getElementById("message");

  function edits() {
    const changed = {};
    const lengths = {};
    for (const el of fields()) {
      if (value(el) === initial.get(el.name)) continue;
      changed[el.name] = value(el);
      if (el.dataset.row) {
        // A row the file may not have yet is written whole.
        lengths[el.dataset.row] = Number(el.dataset.len);
        for (const sib of form.querySelectorAll(`[data-row="${CSS.escape(el.dataset.row)}"]`)) {
          changed[sib.name] = value(sib);
        }
      }
    }
    return { fields: changed, lengths };
  }

  function dirty() {
    return fields().some((el) => value(el) !== initial.get(el.name));
  }

  function show(result) {
    for (const el of form.querySelectorAll(".bad, .warn")) {
      el.classList.remove("bad", "warn");
      el.removeAttribute("title");
      el.removeAttribute("aria-invalid");
    }
    const list = document.getElementById("problems");
    list.textContent = "";
    // Errors first: they keep the file from being printed.
    const ordered = result.diagnostics
      .filter((d) => d.severity === "error")
      .concat(result.diagnostics.filter((d) => d.severity !== "error"));
    for (const d of ordered) {
      const li = document.createElement("li");
      li.className = d.severity === "error" ? "bad" : "warn";
      li.dataset.field = d.field || "";
      // Where it is, in the form's words: the label of its field.
      const at = d.field && form.querySelector(`[name="${CSS.escape(d.field)}"]`);
      const where = at && at.dataset.label ? `${at.dataset.label}：` : "";
      li.textContent = (d.severity === "error" ? "错误：" : "警告：") + where + d.message;
      for (const h of d.hints) {
        const p = document.createElement("div");
        p.className = "hint";
        p.textContent = "提示：" + h;
        li.appendChild(p);
      }
      list.appendChild(li);
      if (!d.field) continue;
      const cls = d.severity === "error" ? "bad" : "warn";
      let targets = Array.from(form.querySelectorAll(`[name="${CSS.escape(d.field)}"]`));
      if (!targets.length) {
        targets = Array.from(form.querySelectorAll(`[data-row="${CSS.escape(d.field)}"]`));
      }
      if (!targets.length) {
        targets = Array.from(form.querySelectorAll(`[name^="${CSS.escape(d.field + ".")}"]`));
      }
      // A cell as likely to be the one to change (carried over from last year).
      for (const also of d.also || []) {
        targets.push(...form.querySelectorAll(`[name="${CSS.escape(also)}"]`));
      }
      for (const el of targets) {
        if (el.classList.contains("bad")) continue;
        el.classList.add(cls);
        el.title = d.message;
        if (cls === "bad") el.setAttribute("aria-invalid", "true");
      }
      li.addEventListener("click", () => targets[0] && targets[0].focus());
    }
    for (const out of form.querySelectorAll("output[data-computed]")) {
      const v = result.computed[out.dataset.computed];
      out.textContent = v === undefined ? "" : String(v);
    }
    if (result.pages.length) {
      document.getElementById("preview").innerHTML = result.pages.join("");
    }
    document.getElementById("timing").textContent =
      `${result.pages.length} 页，${result.elapsed_ms.toFixed(1)} 毫秒`;
    state.className = "state " + (result.errors ? "bad" : result.warnings ? "warn" : "ok");
    state.textContent = result.errors
      ? `${result.errors} 个错误`
      : result.warnings ? `${result.warnings} 个警告` : "通过";
    form.dataset.checked = String(seq);
  }

  // Edits typed since the last check answered; `quiet` leaves the message
  // line to what a save said.
  let unchecked = false;
  async function check(quiet) {
    const mine = ++seq;
    const { status, data } = await post(`/api/check/${encodeURIComponent(file)}`, edits());
    if (mine !== seq) return;
    unchecked = false;
    if (status === 200) {
      if (!quiet) message.textContent = dirty() ? "有未保存的修改" : "";
      show(data);
    } else if (!quiet) {
      message.textContent = data.message;
    }
  }

  form.addEventListener("input", () => {
    unchecked = true;
    clearTimeout(timer);
    timer = setTimeout(() => check(false), 150);
  });
  form.addEventListener("submit", (ev) => ev.preventDefault());

  document.getElementById("save").addEventListener("click", async () => {
    // A check answered after the save would put 「有未保存的修改」 over
    // what the save said (a refusal above all): it is dropped, and made
    // again after the save without touching the message.
    clearTimeout(timer);
    seq++;
    const recheck = unchecked;
    const body = edits();
    body.version = version;
    const { status, data } = await post(`/api/save/${encodeURIComponent(file)}`, body);
    if (recheck) check(true);
    message.textContent = data.message;
    message.className = "message " + (status === 200 ? "ok" : "bad");
    if (status === 200) {
      version = data.version;
      form.dataset.version = version;
      initial = new Map(fields().map((el) => [el.name, value(el)]));
    }
  });

  // A count shown as 0 is replaced by what is typed, not added to: a click
  // selects the cell's content instead of putting the caret in it.
  form.addEventListener("mousedown", (ev) => {
    const el = ev.target;
    if (!el.matches || !el.matches("input.num, input.number") || document.activeElement === el) return;
    ev.preventDefault();
    el.focus();
    el.select();
  });
  form.addEventListener("focusin", (ev) => {
    if (ev.target.matches("input.num, input.number")) ev.target.select();
  });

  // A seal picture from this computer goes into the folder, then is chosen.
  form.addEventListener("change", async (ev) => {
    const input = ev.target;
    if (!input.dataset || !input.dataset.upload || !input.files.length) return;
    const f = input.files[0];
    const { status, data } = await post(`/api/picture/${encodeURIComponent(f.name)}`, f, true);
    message.textContent = data.message;
    message.className = "message " + (status === 200 ? "ok" : "bad");
    if (status !== 200) return;
    const select = form.querySelector(`select[name="${CSS.escape(input.dataset.upload)}"]`);
    if (select) {
      const o = document.createElement("option");
      o.value = o.textContent = data.name;
      select.appendChild(o);
      select.value = data.name;
      select.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });

  // Adding, moving or removing a paragraph or a record changes the file's
  // shape: it is saved at once (with the other changes) and the form
  // reloaded.
  let leaving = false;
  form.addEventListener("click", async (ev) => {
    const button = ev.target.closest("button[data-append], button[data-remove], button[data-shift]");
    if (!button) return;
    if (button.dataset.remove && !confirm("删除这一项并保存？")) return;
    const body = edits();
    body.version = version;
    if (button.dataset.append) {
      body.append = [button.dataset.append, button.dataset.kind];
      if (button.dataset.at) body.at = Number(button.dataset.at);
      if (button.dataset.keys) body.keys = JSON.parse(button.dataset.keys);
    }
    if (button.dataset.remove) body.remove = button.dataset.remove;
    if (button.dataset.shift) body.shift = [button.dataset.shift, Number(button.dataset.by)];
    const { status, data } = await post(`/api/save/${encodeURIComponent(file)}`, body);
    if (status === 200) {
      leaving = true;
      location.reload();
    } else {
      message.textContent = data.message;
      message.className = "message bad";
    }
  });

  for (const id of ["pdf", "docx"]) {
    document.getElementById(id).addEventListener("click", (ev) => {
      if (dirty() && !confirm("有未保存的修改：下载的是已保存的内容。仍然下载？")) ev.preventDefault();
    });
  }
  window.addEventListener("beforeunload", (ev) => {
    if (!leaving && dirty()) ev.preventDefault();
  });
  check();
}

for (const id of ["new-report", "new-document"]) {
  const f = document.getElementById(id);
  if (f) newReport(f);
}
const report = document.getElementById("report");
if (report) desk(report);
