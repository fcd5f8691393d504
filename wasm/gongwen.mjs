// gongwen in a web page or Node: the module built by scripts/build-wasm.sh,
// given the data file, the files it names and the fonts, renders the PDF,
// OFD and DOCX in memory. Nothing leaves the page.
//
//   const gw = await load(wasmBytes);
//   const r = gw.render({
//     data: { path: "notice.toml", text },      // named so in messages
//     files: { "seal.png": bytes },             // template dir, pictures…
//     fonts: { "FandolFang-Regular.otf": bytes },
//     outputs: ["pdf", "ofd", "docx"],          // or "pdfa", "docx-embedded"
//     epoch: 0,                                 // SOURCE_DATE_EPOCH
//   });
//   r.exit, r.diagnostics, r.pdf, r.ofd, r.docx

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function bytesOf(x) {
  return typeof x === "string" ? utf8.encode(x) : new Uint8Array(x);
}

// Records: kind, name, bytes, each after its length as a little-endian u32.
function encode(records) {
  const parts = [];
  for (const [kind, name, bytes] of records) {
    for (const p of [utf8.encode(kind), utf8.encode(name), bytesOf(bytes)]) {
      const len = new Uint8Array(4);
      new DataView(len.buffer).setUint32(0, p.length, true);
      parts.push(len, p);
    }
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function decode(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records = [];
  let at = 0;
  const part = () => {
    const len = view.getUint32(at, true);
    const p = bytes.slice(at + 4, at + 4 + len);
    at += 4 + len;
    return p;
  };
  while (at < bytes.length) {
    records.push([fromUtf8.decode(part()), fromUtf8.decode(part()), part()]);
  }
  return records;
}

export async function load(wasm) {
  // Node 18 has Web Crypto only under node:crypto.
  const crypto = globalThis.crypto ?? (await import("node:crypto")).webcrypto;
  let memory;
  const imports = {
    gongwen: {
      // Seeds for hash tables, from the platform's generator.
      random(ptr, len) {
        for (let at = 0; at < len; at += 65536) {
          const n = Math.min(65536, len - at);
          crypto.getRandomValues(new Uint8Array(memory.buffer, ptr + at, n));
        }
      },
    },
  };
  const { instance } = await WebAssembly.instantiate(wasm, imports);
  const gw = instance.exports;
  memory = gw.memory;

  function call(request) {
    const ptr = gw.gw_alloc(request.length);
    new Uint8Array(memory.buffer, ptr, request.length).set(request);
    const out = gw.gw_render(ptr, request.length);
    gw.gw_free(ptr, request.length);
    const len = new DataView(memory.buffer).getUint32(out, true);
    const reply = new Uint8Array(memory.buffer, out + 4, len).slice();
    gw.gw_free(out, len + 4);
    return decode(reply);
  }

  function render({ data, files = {}, fonts = {}, outputs = ["pdf", "docx"], template, epoch }) {
    const records = [["data", data.path, data.text]];
    for (const [path, bytes] of Object.entries(files)) records.push(["file", path, bytes]);
    for (const [name, bytes] of Object.entries(fonts)) records.push(["font", name, bytes]);
    for (const o of outputs) {
      if (o === "docx-embedded") records.push(["docx", "embedded", ""]);
      else records.push([o, "", ""]);
    }
    if (template !== undefined) records.push(["template", template, ""]);
    if (epoch !== undefined) records.push(["epoch", String(epoch), ""]);
    const result = {};
    for (const [kind, name, bytes] of call(encode(records))) {
      if (kind === "exit") result.exit = Number(name);
      else if (kind === "diagnostics") result.diagnostics = fromUtf8.decode(bytes);
      else result[kind] = bytes;
    }
    return result;
  }

  return { render };
}
