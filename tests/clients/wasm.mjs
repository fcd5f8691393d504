// The wasm32 build of the core, run in Node, against the native binary:
// both samples and the three kinds render byte-identical PDF, OFD and
// DOCX, and data with errors gets the same Chinese diagnostics and exit
// code. Fonts are passed in from here, as a page would.
//
//   node tests/clients/wasm.mjs target/wasm/gongwen.wasm target/release/gongwen

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { load } from "../../wasm/gongwen.mjs";

const [wasmPath, nativeArg] = process.argv.slice(2);
if (!wasmPath || !nativeArg) {
  console.error("usage: node tests/clients/wasm.mjs GONGWEN.wasm NATIVE-BINARY");
  process.exit(2);
}
const native = resolve(nativeArg);
const gw = await load(readFileSync(wasmPath));

const fonts = {};
for (const f of readdirSync("fonts").filter((f) => f.endsWith(".otf"))) {
  fonts[f] = readFileSync(join("fonts", f));
}

// Every file in the data file's folder: pictures, a previous year's file.
function folder(path) {
  const files = {};
  const dir = dirname(path);
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    if (f.isFile()) files[join(dir, f.name)] = readFileSync(join(dir, f.name));
  }
  return files;
}

function runNative(args, cwd) {
  const r = spawnSync(native, args, {
    cwd,
    env: { ...process.env, SOURCE_DATE_EPOCH: "0" },
    encoding: "buffer",
  });
  return { exit: r.status, stderr: r.stderr.toString("utf8") };
}

let failed = 0;
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failed += 1;
}

const inputs = [
  "samples/zhanlang-2020.toml",
  "samples/qinghe-market-2025.toml",
  "tests/fixtures/kinds/notice.toml",
  "tests/fixtures/kinds/letter.toml",
  "tests/fixtures/kinds/minutes.toml",
];
const out = mkdtempSync(join(tmpdir(), "gongwen-wasm-"));
for (const path of inputs) {
  const n = runNative(["render", path, "--ofd", "-o", out], ".");
  check(n.exit === 0, `${path}: native render (${n.stderr.trim().split("\n").pop()})`);
  const started = performance.now();
  const w = gw.render({
    data: { path, text: readFileSync(path) },
    files: folder(path),
    fonts,
    outputs: ["pdf", "ofd", "docx"],
    epoch: 0,
  });
  const ms = Math.round(performance.now() - started);
  check(w.exit === 0, `${path}: wasm render, ${ms} ms ${w.exit === 0 ? "" : w.diagnostics}`);
  const stem = basename(path, ".toml");
  for (const ext of ["pdf", "ofd", "docx"]) {
    const want = readFileSync(join(out, `${stem}.${ext}`));
    const got = w[ext];
    check(got !== undefined && Buffer.compare(Buffer.from(got), want) === 0,
      `${path}: ${ext} byte-identical (${got?.length} / ${want.length} bytes)`);
  }
}

// Data with errors: a wrong type and a character outside the schema's
// range, then a TOML syntax error. The text the native binary prints for
// the file (everything before its batch summary) is the wasm's.
const notice = readFileSync("tests/fixtures/kinds/notice.toml", "utf8");
const bad = {
  "wrong-type.toml": notice.replace('number = "某政办发〔2025〕12号"', "number = 12"),
  "syntax.toml": notice.replace("upward = false", "upward = "),
};
const work = mkdtempSync(join(tmpdir(), "gongwen-wasm-bad-"));
for (const [name, text] of Object.entries(bad)) {
  check(text !== notice, `${name}: the error is in the text`);
  writeFileSync(join(work, name), text);
  const n = runNative(["render", name], work);
  const w = gw.render({ data: { path: name, text }, fonts, outputs: ["pdf", "docx"], epoch: 0 });
  const printed = n.stderr.slice(0, n.stderr.lastIndexOf("共 1 个文件"));
  check(n.exit === w.exit && n.exit !== 0, `${name}: exit ${w.exit} as native ${n.exit}`);
  check(/错误/.test(w.diagnostics) && w.diagnostics === printed,
    `${name}: same diagnostics\n--- native\n${printed}--- wasm\n${w.diagnostics}`);
  check(w.pdf === undefined && w.docx === undefined, `${name}: nothing written`);
}

// A page that forgot the fonts is told which one, in Chinese.
const nofont = gw.render({
  data: { path: inputs[2], text: readFileSync(inputs[2]) },
  files: folder(inputs[2]),
  outputs: ["pdf"],
});
check(nofont.exit !== 0 && /字体/.test(nofont.diagnostics), `no fonts: ${nofont.diagnostics.trim()}`);

if (failed) {
  console.error(`${failed} wasm check(s) failed`);
  process.exit(1);
}
console.log("wasm: all checks passed");
