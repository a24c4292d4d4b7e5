import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_JWT_SECRET } from '../gateway/src/config.js';
import { PROJECT_ROOT, startSystem, type RunningSystem } from '../scripts/system.js';
import { postGraphQL } from './support/http.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT = join(PROJECT_ROOT, 'test-results', 'storefront', 'storefront.png');
const LIVE_SCREENSHOT = join(PROJECT_ROOT, 'test-results', 'storefront', 'storefront-live-stock.png');
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

interface Product {
  upc: string;
  name: string;
  price: number;
  inStock: boolean;
}

interface GatewayExchange {
  method: string;
  contentType: string | undefined;
  status: number;
}

function developmentToken(sub: string): string {
  return jwt.sign({ scope: '' }, DEVELOPMENT_JWT_SECRET, { algorithm: 'HS256', subject: sub, expiresIn: 300 });
}

async function startStorefront(log: (line: string) => void): Promise<{ url: string; process: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/storefront/serve.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => log(`[storefront] ${chunk.trimEnd()}`));
  const url = await new Promise<string>((resolve, reject) => {
    let printed = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      printed += chunk;
      const match = /listening on (\S+)/.exec(printed);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`the storefront server exited (code ${String(code)}) before listening:\n${printed}`)));
  });
  return { url, process: child };
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the example storefront in a real browser', () => {
  let system: RunningSystem;
  let refusingGateway: string;
  let storefront: { url: string; process: ChildProcess };
  let userDataDir: string;
  let context: BrowserContext;
  let page: Page;
  let products: Product[];
  const exchanges: GatewayExchange[] = [];
  const pageErrors: string[] = [];
  const output: string[] = [];

  const open = async (gateway: string): Promise<void> => {
    await page.goto(`${storefront.url}?gateway=${encodeURIComponent(gateway)}`);
    await page.locator('#status:not([data-state="pending"])').waitFor();
  };
  const inStock = (): Product => products.find((candidate) => candidate.inStock)!;
  const card = (upc: string) => page.locator(`#products li[data-upc="${upc}"]`);
  const order = async (upc: string): Promise<{ state: string | null; text: string }> => {
    await card(upc).locator('button.order').click();
    const result = card(upc).locator('.result:is([data-state="ok"], [data-state="error"])');
    await result.waitFor();
    return { state: await result.getAttribute('data-state'), text: (await result.textContent()) ?? '' };
  };

  beforeAll(async () => {
    // No response cache: the last test must see what the subgraphs answer after one of them is killed.
    system = await startSystem({ freePorts: true, env: { NODE_ENV: 'test', RESPONSE_CACHE: 'off' }, log: (line) => output.push(line) });
    refusingGateway = (await system.addGateway({ CORS_ORIGINS: 'https://shop.example' })).url;
    storefront = await startStorefront((line) => output.push(line));
    const answer = await postGraphQL<{ topProducts: Product[] }>(system.gatewayUrl, '{ topProducts(first: 12) { upc name price inStock } }');
    products = answer.body.data?.topProducts ?? [];

    userDataDir = await mkdtemp(join(tmpdir(), 'storefront-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      headless: true,
      locale: 'en-US',
      viewport: { width: 1100, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => {
      const request = response.request();
      if (request.url() !== system.gatewayUrl || request.method() === 'OPTIONS') return;
      exchanges.push({ method: request.method(), contentType: request.headers()['content-type'], status: response.status() });
    });
  });

  afterEach(() => {
    expect(pageErrors).toEqual([]);
  });

  afterAll(async () => {
    await context?.close();
    if (storefront?.process.exitCode === null) {
      const exited = once(storefront.process, 'exit');
      storefront.process.kill();
      await exited;
    }
    await system?.stop();
    if (userDataDir !== undefined) await rm(userDataDir, { recursive: true, force: true });
  });

  it('lists the top products with their names and prices from the gateway', async () => {
    // The seed leaves the most popular products sold out; the order tests need both kinds.
    expect(new Set(products.map((product) => product.inStock))).toEqual(new Set([true, false]));
    await open(system.gatewayUrl);
    expect(await page.locator('#status').getAttribute('data-state')).toBe('ok');
    expect(await page.locator('#products .name').allTextContents()).toEqual(products.map((product) => product.name));
    expect(await page.locator('#products .price').allTextContents()).toEqual(products.map((product) => money.format(product.price / 100)));
    expect(await page.locator('#products .stock').allTextContents()).toEqual(
      products.map((product) => (product.inStock ? expect.stringMatching(/^In stock: \d+$/) : 'Out of stock')),
    );
  });

  it('ordering without a token shows UNAUTHENTICATED', async () => {
    await page.locator('#token').fill('');
    expect(await order(inStock().upc)).toEqual({ state: 'error', text: 'UNAUTHENTICATED You must be signed in to read Mutation.placeOrder.' });
  });

  it('with a pasted development token the order goes through and shows its id and total', async () => {
    const product = inStock();
    const token = developmentToken('u1');
    await page.locator('#token').fill(token);
    const result = await order(product.upc);
    expect(result).toEqual({ state: 'ok', text: expect.stringMatching(/^Order \S+ placed: total \$[\d,]+\.\d\d$/) });
    await mkdir(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    const id = /^Order (\S+) /.exec(result.text)![1]!;
    const placed = await postGraphQL(
      system.gatewayUrl,
      'query ($id: ID!) { order(id: $id) { id total buyer { id } items { quantity product { upc } } } }',
      { id },
      { authorization: `Bearer ${token}` },
    );
    expect(placed.body).toEqual({
      data: { order: { id, total: product.price, buyer: { id: 'u1' }, items: [{ quantity: 1, product: { upc: product.upc } }] } },
    });
    expect(result.text).toBe(`Order ${id} placed: total ${money.format(product.price / 100)}`);

    await page.reload();
    expect(await page.locator('#token').inputValue()).toBe(token);
  });

  it('shows stock live: an order placed on another page lowers the count on this one without a reload', async () => {
    const product = inStock();
    await open(system.gatewayUrl);
    await page.locator('#products[data-live="on"]').waitFor();
    const stock = card(product.upc).locator('.stock');
    const before = Number(/\d+/.exec((await stock.textContent()) ?? '')?.[0]);
    const other = await context.newPage();
    try {
      await other.goto(`${storefront.url}?gateway=${encodeURIComponent(system.gatewayUrl)}`);
      await other.locator('#token').fill(developmentToken('u2'));
      await other.locator(`#products li[data-upc="${product.upc}"] button.order`).click();
      await other.locator(`#products li[data-upc="${product.upc}"] .result[data-state="ok"]`).waitFor();
    } finally {
      await other.close();
    }
    await expect.poll(() => stock.textContent(), { timeout: 10_000 }).toBe(before - 1 > 0 ? `In stock: ${before - 1}` : 'Out of stock');
    await mkdir(join(LIVE_SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: LIVE_SCREENSHOT, fullPage: true });
  });

  it('ordering a product that is out of stock shows OUT_OF_STOCK', async () => {
    const soldOut = products.find((candidate) => !candidate.inStock)!;
    await open(system.gatewayUrl);
    expect(await order(soldOut.upc)).toEqual({ state: 'error', text: expect.stringMatching(/^OUT_OF_STOCK /) });
  });

  it("the page's requests are JSON POSTs, so they pass the gateway's CSRF prevention", async () => {
    expect(exchanges.length).toBeGreaterThanOrEqual(4);
    expect(exchanges).toEqual(exchanges.map(() => ({ method: 'POST', contentType: 'application/json', status: 200 })));
    // What a cross-site form could send instead is refused, so the check was on.
    const simple = await fetch(system.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ topProducts { upc } }' }),
    });
    expect(simple.status).toBe(400);
    expect(await simple.text()).toContain('Cross-Site Request Forgery');
  });

  it('a gateway whose CORS_ORIGINS leaves out the page cannot be read by it, and the page says so', async () => {
    const direct = await postGraphQL(refusingGateway, '{ topProducts(first: 1) { upc } }');
    expect(direct.status).toBe(200);
    await open(refusingGateway);
    const origin = new URL(storefront.url).origin;
    expect(await page.locator('#status').getAttribute('data-state')).toBe('error');
    expect(await page.locator('#status').textContent()).toBe(
      `CORS_REFUSED The gateway at ${refusingGateway} answered, but its CORS policy does not let this page (${origin}) read the answer. Add ${origin} to the gateway's CORS_ORIGINS.`,
    );
    expect(await page.locator('#products li').count()).toBe(0);
  });

  it('with the reviews service down, the page still lists every product with its price and stock, and says reviews are unavailable', async () => {
    await system.kill('reviews');
    try {
      const answered = page.waitForResponse((response) => response.url() === system.gatewayUrl && response.request().method() === 'POST');
      await open(system.gatewayUrl);
      const body = (await (await answered).json()) as {
        data: { topProducts: { reviews: unknown; averageRating: unknown }[] };
        errors: { path?: unknown[]; extensions?: { code?: string } }[];
      };
      expect(body.data.topProducts.map((product) => [product.reviews, product.averageRating])).toEqual(products.map(() => [null, null]));
      expect(body.errors).toEqual(
        expect.arrayContaining(
          products.map((_product, index) =>
            expect.objectContaining({ path: ['topProducts', index, 'reviews'], extensions: expect.objectContaining({ code: 'SUBGRAPH_UNAVAILABLE' }) }),
          ),
        ),
      );

      expect(await page.locator('#status').getAttribute('data-state')).toBe('error');
      expect(await page.locator('#status').textContent()).toBe('SUBGRAPH_UNAVAILABLE Some fields are missing: The reviews service is unavailable.');
      expect(await page.locator('#products .name').allTextContents()).toEqual(products.map((product) => product.name));
      expect(await page.locator('#products .price').allTextContents()).toEqual(products.map((product) => money.format(product.price / 100)));
      expect(await page.locator('#products .stock').allTextContents()).toEqual(
        products.map((product) => (product.inStock ? expect.stringMatching(/^In stock: \d+$/) : 'Out of stock')),
      );
      expect(await page.locator('#products .review').allTextContents()).toEqual(products.map(() => 'Reviews are unavailable right now.'));
      expect(await page.locator('#products .rating').allTextContents()).toEqual(products.map(() => 'Ratings unavailable'));
    } finally {
      await system.restart('reviews');
    }
  });

  it('an unreachable gateway is reported as unreachable', async () => {
    const gone = `http://127.0.0.1:${await closedPort()}/graphql`;
    await open(gone);
    expect(await page.locator('#status').textContent()).toBe(
      `GATEWAY_UNREACHABLE Could not reach the gateway at ${gone}. Is it running (npm start), and is the URL right?`,
    );
  });
});
