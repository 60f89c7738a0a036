// Trunk post-build hook (see Trunk.toml): removes from the element's wasm the exports of
// wasm-streams' three classes (IntoUnderlyingSource, IntoUnderlyingByteSource,
// IntoUnderlyingSink), and with them the code only they reach. Leptos always links server_fn's
// browser client, and with it these wasm-bindgen exports, which keep their code alive although
// the element never makes a stream (BENCHMARKS.md, "Why not 80 KB").
//
// The export entries are cut from the export section here, byte for byte (every other section
// is copied as it is), and wasm-opt (installed by .ci/install) then drops what nothing reaches
// any more, optimising as Trunk did (index.html's `data-wasm-opt`). Only the WebAssembly
// features Rust's wasm32 target uses are enabled, so the output runs wherever the input ran;
// Node compiles it as a check. Their JS classes stay in the glue, unused: nothing constructs
// them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const UNUSED = /^(__wbg_)?intounderlying(byte)?(source|sink)_/;
// Rust's wasm32-unknown-unknown target features (rustc 1.82 and later).
const FEATURES = [
  '--enable-bulk-memory', '--enable-multivalue', '--enable-mutable-globals',
  '--enable-nontrapping-float-to-int', '--enable-reference-types', '--enable-sign-ext',
];

/** An unsigned LEB128 at `at`: [value, the offset after it]. */
function readLeb(bytes, at) {
  let value = 0, shift = 0, byte;
  do {
    byte = bytes[at++];
    value |= (byte & 0x7f) << shift;
    shift += 7;
  } while (byte & 0x80);
  return [value >>> 0, at];
}

function leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
}

/** `wasm` without the exports whose names match `unused` (section 7; the rest as it was). */
export function withoutExports(wasm, unused) {
  const parts = [wasm.subarray(0, 8)];
  let at = 8;
  while (at < wasm.length) {
    const start = at;
    const id = wasm[at++];
    let size;
    [size, at] = readLeb(wasm, at);
    const body = wasm.subarray(at, at + size);
    at += size;
    if (id !== 7) {
      parts.push(wasm.subarray(start, at));
      continue;
    }
    let count, entry = 0;
    [count, entry] = readLeb(body, entry);
    const kept = [];
    for (let i = 0; i < count; i++) {
      const from = entry;
      let length;
      [length, entry] = readLeb(body, entry);
      const name = body.subarray(entry, entry + length).toString();
      entry += length + 1; // the name, then the kind's byte
      [, entry] = readLeb(body, entry); // the index
      if (!unused.test(name)) kept.push(body.subarray(from, entry));
    }
    const section = Buffer.concat([leb(kept.length), ...kept]);
    parts.push(Buffer.from([7]), leb(section.length), section);
  }
  return Buffer.concat(parts);
}

const staging = process.env.TRUNK_STAGING_DIR ?? 'dist';
const wasmPath = join(staging, 'embed', 'capital-offer-tile-core_bg.wasm');
const before = readFileSync(wasmPath);
const exports = WebAssembly.Module.exports(new WebAssembly.Module(before)).map((e) => e.name);
const dropped = exports.filter((name) => UNUSED.test(name));
if (dropped.length === 0) {
  console.log('drop-unused-exports: no wasm-streams exports; nothing to do');
  process.exit(0);
}
const work = mkdtempSync(join(tmpdir(), 'capital-exports-'));
try {
  const trimmedPath = join(work, 'trimmed.wasm');
  const outPath = join(work, 'out.wasm');
  writeFileSync(trimmedPath, withoutExports(before, UNUSED));
  execFileSync('wasm-opt', [...FEATURES, '-Oz', '--converge', '--strip-producers', '--strip-target-features',
    trimmedPath, '-o', outPath], { stdio: ['ignore', 'ignore', 'inherit'] });
  const after = readFileSync(outPath);
  const kept = WebAssembly.Module.exports(new WebAssembly.Module(after)).map((e) => e.name);
  const expected = exports.filter((name) => !UNUSED.test(name));
  if (kept.join() !== expected.join()) {
    console.error(`drop-unused-exports: the exports kept differ from those expected:\n${kept}\n${expected}`);
    process.exit(1);
  }
  writeFileSync(wasmPath, after);
  console.log(`drop-unused-exports: ${dropped.length} exports removed, ${before.length} → ${after.length} B`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
