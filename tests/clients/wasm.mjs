// The wasm32 build of the core, run in Node, against the native binary:
// both samples and the three kinds render the same PDF, OFD and DOCX, and
// data with errors gets the same Chinese diagnostics and exit code. Fonts
// are passed in from here, as a page would. The native binary deflates
// with libdeflate, the wasm with zlib-rs: the files are compared with
// every stream and ZIP entry inflated, byte for byte apart from that.
//
//   node tests/clients/wasm.mjs target/wasm/gongwen.wasm target/release/gongwen

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { inflateRawSync, inflateSync } from "node:zlib";
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

// A ZIP (DOCX, OFD) as its entries in order: name, method and content.
function zipEntries(buf) {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = [];
  for (let i = 0; i < count; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const [n, x, c] = [28, 30, 32].map((o) => buf.readUInt16LE(p + o));
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + n).toString();
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    out.push(Buffer.concat([Buffer.from(`${name} ${method}\n`), method === 8 ? inflateRawSync(data) : data]));
    p += 46 + n + x + c;
  }
  return Buffer.concat(out);
}

// A PDF with its Flate streams inflated and their lengths left out, up to
// its cross-reference table (offsets, and the file identifier made from
// the bytes).
function pdfInflated(buf) {
  const out = [];
  let [at, from] = [0, 0];
  for (;;) {
    const s = buf.indexOf("stream\n", from);
    if (s < 0) break;
    from = s + 7;
    if (buf.subarray(s - 3, s).toString() === "end") continue;
    const dict = buf.subarray(buf.lastIndexOf(" obj", s), s).toString("latin1");
    const length = Number(/\/Length (\d+)/.exec(dict)[1]);
    const body = buf.subarray(s + 7, s + 7 + length);
    out.push(Buffer.from(buf.subarray(at, s + 7).toString("latin1").replace(/\/Length \d+/, "/Length _"), "latin1"));
    out.push(/\/FlateDecode/.test(dict) ? inflateSync(body) : body);
    at = from = s + 7 + length;
  }
  const xref = buf.lastIndexOf("\nxref\n");
  out.push(buf.subarray(at, xref));
  return Buffer.concat(out);
}

const inflated = { pdf: pdfInflated, ofd: zipEntries, docx: zipEntries };

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
    const same = got !== undefined && Buffer.compare(inflated[ext](Buffer.from(got)), inflated[ext](want)) === 0;
    check(same, `${path}: ${ext} the same inflated (${got?.length} / ${want.length} bytes)`);
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
