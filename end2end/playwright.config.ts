import { defineConfig, devices } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';

// The portal under test: the binary scripts/build.sh made, on its own
// port, with a fresh data directory for every run.
const port = Number(process.env.E2E_PORT ?? 3107);
const root = path.resolve(__dirname, '..');
// Workers load this file again but inherit the environment: keep the first run's directory.
process.env.E2E_DATA_DIR ??= path.join(__dirname, '.data', `run-${Date.now()}`);
const dataDir = process.env.E2E_DATA_DIR;
// Earlier runs' directories stay for an hour to be looked at, then go.
const runsDir = path.join(__dirname, '.data');
for (const run of fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : []) {
  const started = Number(run.replace(/^run-/, ''));
  if (run.startsWith('run-') && Date.now() - started > 60 * 60 * 1000) {
    fs.rmSync(path.join(runsDir, run), { recursive: true, force: true });
  }
}
// The CLI in the helpers builds mail links from the same base URL as the server.
process.env.E2E_BASE_URL ??= `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // One browser at a time: with two on two cores (beside the server) the
  // suite took as long and a page check ran into its timeout.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    // The portal speaks the browser's language: the suite reads German pages
    // (english.spec.ts asks for English itself).
    locale: 'de-DE',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
      ],
    },
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'], channel: undefined } },
  ],
  webServer: {
    command: `${path.join(root, 'target/debug/kundenportal')} serve`,
    cwd: root,
    url: `http://127.0.0.1:${port}/kontakt`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    env: {
      KP_DATA_DIR: dataDir,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      KP_BASE_URL: process.env.E2E_BASE_URL,
      LEPTOS_SITE_ROOT: path.join(root, 'target/site'),
      KP_LOG: 'info,sqlx=warn',
      // Every test signs in from 127.0.0.1; the per-address limits have tests of their own.
      KP_LIMIT_LOGIN_PER_MINUTE: '1000',
      KP_LIMIT_RESET_PER_MINUTE: '1000',
      KP_LIMIT_LINK_PER_MINUTE: '1000',
      KP_LIMIT_APP_TOKEN_PER_MINUTE: '1000',
    },
  },
});
