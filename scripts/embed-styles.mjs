// Trunk post-build hook (see Trunk.toml): writes the element's stylesheet, minified, and the
// skeleton's copy into the
// module platforms load (dist/embed/capital-offer-tile.js), then minifies that module with
// esbuild (installed by .ci/install). The module paints the skeleton in the element's own styles
// before the wasm has arrived, and the wasm then takes over the same shadow root and stylesheet:
// one stylesheet, one place, no second request.
//
// The stylesheet's minifying drops comments and whitespace only: nothing is reordered or rewritten.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const PLACEHOLDER = "'__CAPITAL_TILE_CSS__'";
const COPY_PLACEHOLDER = "'__CAPITAL_SKELETON_COPY__'";

export function minify(css) {
  let out = '';
  let pendingSpace = false;
  const flush = (next) => {
    if (
      pendingSpace &&
      out !== '' &&
      !'{};,'.includes(next) &&
      !'{};:, '.includes(out[out.length - 1])
    ) {
      out += ' ';
    }
    pendingSpace = false;
  };
  for (let i = 0; i < css.length; i++) {
    const c = css[i];
    if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      i = end === -1 ? css.length : end + 1;
      pendingSpace = true;
    } else if (/\s/.test(c)) {
      pendingSpace = true;
    } else if (c === '"' || c === "'") {
      flush(c);
      const end = css.indexOf(c, i + 1);
      const stop = end === -1 ? css.length : end + 1;
      out += css.slice(i, stop);
      i = stop - 1;
    } else {
      if (c === '}' && out.endsWith(';')) out = out.slice(0, -1);
      flush(c);
      out += c;
    }
  }
  return out;
}

/** A module minified by esbuild: names inside shrink, exports and behaviour stay. */
function minifyJs(source) {
  return execFileSync('esbuild', ['--minify', '--format=esm', '--loader=js'], {
    input: source,
    encoding: 'utf8',
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const staging = process.env.TRUNK_STAGING_DIR ?? 'dist';
  const module = join(staging, 'embed', 'capital-offer-tile.js');
  const css = minify(await readFile('style/tile.css', 'utf8'));
  // The skeleton's copy, generated from Rust's model (tests hold the file up to date).
  const copy = JSON.stringify(JSON.parse(await readFile('src/js/skeleton-copy.json', 'utf8')));
  const source = await readFile(module, 'utf8');
  for (const placeholder of [PLACEHOLDER, COPY_PLACEHOLDER]) {
    if (!source.includes(placeholder)) {
      console.error(`embed-styles: ${module} has no ${placeholder} to replace`);
      process.exit(1);
    }
  }
  const assembled = source
    .replace(PLACEHOLDER, () => JSON.stringify(css))
    .replace(COPY_PLACEHOLDER, () => copy);
  await writeFile(module, minifyJs(assembled));
  // The wasm-bindgen glue is generated with its doc comments; platforms' users need none of them.
  const glue = join(staging, 'embed', 'capital-offer-tile-core.js');
  await writeFile(glue, minifyJs(await readFile(glue, 'utf8')));
}
