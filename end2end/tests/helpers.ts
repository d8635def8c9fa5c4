import { execFileSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..', '..');
const binary = path.join(root, 'target/debug/kundenportal');

export interface TestCustomer {
  number: string;
  username: string;
  password: string;
}

/** Creates a customer with its own main user through the operator CLI. */
export function createCustomer(label: string, password = 'Start-Passwort-1'): TestCustomer {
  const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const customer = { number: `E2E-${unique}`, username: `${label}-${unique}`, password };
  execFileSync(binary, [
    'customer', 'add',
    '--number', customer.number,
    '--name', `Testkunde ${label}`,
    '--username', customer.username,
    '--email', `${customer.username}@kunden.example`,
    '--initial-password', password,
  ], {
    cwd: root,
    env: { ...process.env, KP_DATA_DIR: process.env.E2E_DATA_DIR!, KP_LOG: 'error' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return customer;
}
