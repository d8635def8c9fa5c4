// Writes FILE.br and FILE.gz next to each FILE given, once at build time,
// so the server sends the build's files compressed without compressing
// them on every request. Usage: node scripts/precompress.mjs [--fast] FILE...
// (--fast: a lower brotli quality for debug builds, whose WASM is large).
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const fast = args[0] === '--fast';
const files = fast ? args.slice(1) : args;
for (const file of files) {
  const bytes = readFileSync(file);
  const br = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: fast ? 5 : 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  writeFileSync(`${file}.br`, br);
  writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
}
