// Prints the median of Lighthouse's JSON reports per page:
// node scripts/lighthouse-median.mjs DIR NAME... (reports DIR/NAME-N.json).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, ...names] = process.argv.slice(2);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
console.log(`  ${'page'.padEnd(12)} ${'performance'.padStart(11)} ${'LCP'.padStart(8)} ${'TBT'.padStart(8)} ${'FCP'.padStart(8)} ${'a11y'.padStart(5)} runs`);
for (const name of names) {
  const reports = readdirSync(dir)
    .filter((file) => file.startsWith(`${name}-`) && file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')))
    .filter((report) => report.categories?.performance?.score != null);
  if (reports.length === 0) {
    console.log(`  ${name.padEnd(12)} no report (see the Lighthouse output)`);
    continue;
  }
  const pick = (f) => median(reports.map(f));
  const performance = Math.round(pick((r) => r.categories.performance.score * 100));
  const accessibility = Math.round(pick((r) => r.categories.accessibility.score * 100));
  const lcp = pick((r) => r.audits['largest-contentful-paint'].numericValue) / 1000;
  const tbt = pick((r) => r.audits['total-blocking-time'].numericValue);
  const fcp = pick((r) => r.audits['first-contentful-paint'].numericValue) / 1000;
  console.log(
    `  ${name.padEnd(12)} ${String(performance).padStart(11)} ${`${lcp.toFixed(1)} s`.padStart(8)} ${`${Math.round(tbt)} ms`.padStart(8)} ${`${fcp.toFixed(1)} s`.padStart(8)} ${String(accessibility).padStart(5)} ${reports.length}`,
  );
}
