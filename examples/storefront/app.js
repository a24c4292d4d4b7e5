// @ts-check

/**
 * @typedef {{ message: string, extensions?: { code?: string } }} GraphQLError
 * @typedef {{ data?: Record<string, unknown> | null, errors?: GraphQLError[] }} GraphQLBody
 * @typedef {{ rating: number, body: string, author: { username: string } | null }} Review
 * Fields served by another subgraph than the product's are null while that subgraph is down.
 * @typedef {{ upc: string, name: string, price: number, averageRating: number | null, reviews: Review[] | null, inStock: boolean | null, quantity: number | null }} Product
 * @typedef {{ id: string, total: number, status: string }} Order
 */

const DEFAULT_GATEWAY = 'http://localhost:4000/graphql';
const TOKEN_KEY = 'supergate.storefront.token';

const TOP_PRODUCTS = /* GraphQL */ `
  query StorefrontTopProducts {
    topProducts(first: 12) {
      upc
      name
      price
      averageRating
      reviews(first: 1) {
        rating
        body
        author {
          username
        }
      }
      inStock
      quantity
    }
  }
`;
const PLACE_ORDER = /* GraphQL */ `
  mutation StorefrontPlaceOrder($input: PlaceOrderInput!) {
    placeOrder(input: $input) {
      id
      total
      status
    }
  }
`;

const STOCK_CHANGED = /* GraphQL */ `
  subscription StorefrontStock($upcs: [String!]!) {
    stockChanged(upcs: $upcs) {
      upc
      inStock
      quantity
    }
  }
`;
/** Apollo's multipart subscription protocol: the same POST to /graphql, answered with one part per event. */
const MULTIPART_ACCEPT = 'multipart/mixed;subscriptionSpec="1.0",application/json';
const RESUBSCRIBE_MS = 2000;

const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** A failed request as the page reports it: a code (GraphQL `extensions.code`, or the page's own label) and a message. */
class RequestError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = 'RequestError';
    this.code = code;
  }
}

const gatewayUrl = readGatewayUrl();

/**
 * @template {Element} T
 * @param {string} selector
 * @param {{ new (): T }} type
 * @param {ParentNode} [root]
 * @returns {T}
 */
function find(selector, type, root = document) {
  const element = root.querySelector(selector);
  if (!(element instanceof type)) throw new Error(`storefront markup is missing ${selector}`);
  return element;
}

const statusLine = find('#status', HTMLElement);
const productList = find('#products', HTMLUListElement);
const productTemplate = find('#product-template', HTMLTemplateElement);
const tokenInput = find('#token', HTMLTextAreaElement);

/** @returns {string} */
function readGatewayUrl() {
  const raw = new URLSearchParams(location.search).get('gateway')?.trim();
  return raw === undefined || raw === '' ? DEFAULT_GATEWAY : raw;
}

/** The pasted token without a leading "Bearer ", or undefined when none. */
function currentToken() {
  const token = tokenInput.value.trim().replace(/^bearer\s+/i, '');
  return token === '' ? undefined : token;
}

/**
 * POSTs one operation as JSON, which is also what gets it past Apollo Server's CSRF prevention
 * (a cross-site form can send text/plain or form data, never application/json).
 * @param {string} query
 * @param {Record<string, unknown>} [variables]
 * @returns {Promise<GraphQLBody>}
 */
async function graphql(query, variables) {
  /** @type {Record<string, string>} */
  const headers = { 'content-type': 'application/json' };
  const token = currentToken();
  if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(gatewayUrl, { method: 'POST', headers, body: JSON.stringify({ query, variables }), credentials: 'omit' });
  } catch {
    throw await explainFailedFetch();
  }
  const text = await response.text();
  /** @type {GraphQLBody} */
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RequestError(`HTTP ${response.status}`, `The gateway answered without GraphQL JSON: ${text.slice(0, 200) || response.statusText}`);
  }
  if ((body.data === undefined || body.data === null) && body.errors?.[0] === undefined) {
    throw new RequestError(`HTTP ${response.status}`, 'The gateway answered with neither data nor errors.');
  }
  return body;
}

/**
 * fetch() rejects the same way whether the gateway is down or its CORS policy refused this origin.
 * A no-cors request tells them apart: it succeeds (with an unreadable answer) whenever the server answers at all.
 */
async function explainFailedFetch() {
  try {
    await fetch(gatewayUrl, { mode: 'no-cors', credentials: 'omit', cache: 'no-store' });
  } catch {
    return new RequestError('GATEWAY_UNREACHABLE', `Could not reach the gateway at ${gatewayUrl}. Is it running (npm start), and is the URL right?`);
  }
  return new RequestError(
    'CORS_REFUSED',
    `The gateway at ${gatewayUrl} answered, but its CORS policy does not let this page (${location.origin}) read the answer. Add ${location.origin} to the gateway's CORS_ORIGINS.`,
  );
}

/**
 * @param {unknown} error
 * @returns {RequestError}
 */
function asRequestError(error) {
  return error instanceof RequestError ? error : new RequestError('PAGE_ERROR', error instanceof Error ? error.message : String(error));
}

/**
 * @param {HTMLElement} element
 * @param {'pending' | 'ok' | 'error'} state
 * @param {string} text
 * @param {string} [code]
 */
function show(element, state, text, code) {
  element.dataset['state'] = state;
  element.replaceChildren();
  if (code !== undefined) {
    const label = document.createElement('code');
    label.className = 'code';
    label.textContent = code;
    element.append(label, ' ');
  }
  element.append(text);
}

/** @param {GraphQLError} error */
function codeOf(error) {
  return error.extensions?.code ?? 'GRAPHQL_ERROR';
}

async function loadProducts() {
  show(statusLine, 'pending', `Loading top products from ${gatewayUrl}…`);
  try {
    const body = await graphql(TOP_PRODUCTS);
    const products = /** @type {Product[] | undefined} */ (body.data?.['topProducts']);
    const firstError = body.errors?.[0];
    if (products === undefined) {
      if (firstError !== undefined) throw new RequestError(codeOf(firstError), firstError.message);
      throw new RequestError('GRAPHQL_ERROR', 'The answer has no topProducts.');
    }
    productList.replaceChildren(...products.map(renderProduct));
    void followStock(products.map((product) => product.upc));
    // Some fields can fail while the rest answer (say, reviews while the reviews service is down).
    if (firstError !== undefined) show(statusLine, 'error', `Some fields are missing: ${firstError.message}`, codeOf(firstError));
    else show(statusLine, 'ok', `${products.length} products from ${gatewayUrl}`);
  } catch (error) {
    const failure = asRequestError(error);
    show(statusLine, 'error', failure.message, failure.code);
  }
}

/** @param {Product} product */
function renderProduct(product) {
  const fragment = /** @type {DocumentFragment} */ (productTemplate.content.cloneNode(true));
  const item = find('li', HTMLLIElement, fragment);
  item.dataset['upc'] = product.upc;
  find('.name', HTMLElement, item).textContent = product.name;
  find('.price', HTMLElement, item).textContent = money.format(product.price / 100);
  find('.rating', HTMLElement, item).textContent = ratingText(product);
  find('.review', HTMLElement, item).textContent = reviewText(product.reviews);
  find('.stock', HTMLElement, item).textContent = stockText(product);
  const button = find('.order', HTMLButtonElement, item);
  const result = find('.result', HTMLElement, item);
  button.addEventListener('click', () => void placeOrder(product, button, result));
  return item;
}

/** @param {Product} product */
function ratingText(product) {
  if (product.reviews === null) return 'Ratings unavailable';
  return product.averageRating === null ? 'No reviews yet' : `★ ${product.averageRating.toFixed(1)} / 5`;
}

/** @param {Review[] | null} reviews */
function reviewText(reviews) {
  if (reviews === null) return 'Reviews are unavailable right now.';
  const [latest] = reviews;
  if (latest === undefined) return '';
  return `“${latest.body}” (${latest.rating}/5, ${latest.author?.username ?? 'a shopper'})`;
}

/** @param {{ inStock: boolean | null, quantity: number | null }} product */
function stockText(product) {
  if (product.inStock === null) return 'Stock unavailable';
  return product.inStock ? `In stock: ${product.quantity}` : 'Out of stock';
}

/**
 * @param {Product} product
 * @param {HTMLButtonElement} button
 * @param {HTMLElement} result
 */
async function placeOrder(product, button, result) {
  button.disabled = true;
  show(result, 'pending', 'Placing the order…');
  try {
    const input = { items: [{ upc: product.upc, quantity: 1 }], idempotencyKey: crypto.randomUUID() };
    const body = await graphql(PLACE_ORDER, { input });
    const order = /** @type {Order | undefined} */ (body.data?.['placeOrder']);
    const firstError = body.errors?.[0];
    if (firstError !== undefined) throw new RequestError(codeOf(firstError), firstError.message);
    if (order === undefined) throw new RequestError('GRAPHQL_ERROR', 'The answer has no placeOrder.');
    show(result, 'ok', `Order ${order.id} ${order.status.toLowerCase()}: total ${money.format(order.total / 100)}`);
  } catch (error) {
    const failure = asRequestError(error);
    show(result, 'error', failure.message, failure.code);
  } finally {
    button.disabled = false;
  }
}

/**
 * Keeps each product's stock line live: subscribes to stockChanged for the
 * products shown, over Apollo's multipart HTTP protocol (a fetch, so no
 * WebSocket client is needed), and updates the line as each event arrives. A
 * subscription that ends (the gateway restarted, a subgraph went away) is
 * taken up again: the events of the gap are lost, so it reloads the products.
 * @param {string[]} upcs
 */
async function followStock(upcs) {
  productList.dataset['live'] = 'connecting';
  let wasLive = false;
  try {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: MULTIPART_ACCEPT },
      body: JSON.stringify({ query: STOCK_CHANGED, variables: { upcs } }),
      credentials: 'omit',
    });
    if (!response.ok || response.body === null) throw new RequestError(`HTTP ${response.status}`, 'The gateway refused the stock subscription.');
    productList.dataset['live'] = 'on';
    wasLive = true;
    for await (const part of multipartParts(response.body)) {
      const payload = /** @type {{ payload?: GraphQLBody | null }} */ (part).payload;
      const product = /** @type {{ upc: string, inStock: boolean | null, quantity: number | null } | undefined} */ (payload?.data?.['stockChanged']);
      if (product === undefined) continue;
      const line = productList.querySelector(`li[data-upc="${CSS.escape(product.upc)}"] .stock`);
      if (line instanceof HTMLElement) line.textContent = stockText(product);
    }
  } catch {
    // Retried below, quietly: the page still works without live stock.
  }
  productList.dataset['live'] = 'off';
  // A gateway that refused the subscription outright is not asked again on every reload.
  if (wasLive) setTimeout(() => void loadProducts(), RESUBSCRIBE_MS);
}

/**
 * The JSON bodies of a multipart/mixed answer with boundary "graphql", as they arrive.
 * @param {ReadableStream<Uint8Array>} body
 * @returns {AsyncGenerator<unknown>}
 */
async function* multipartParts(body) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const boundary = '\r\n--graphql';
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let at = buffer.indexOf(boundary);
    while (at !== -1) {
      const part = buffer.slice(0, at);
      buffer = buffer.slice(at + boundary.length);
      const bodyStart = part.indexOf('\r\n\r\n');
      if (bodyStart !== -1) yield JSON.parse(part.slice(bodyStart + 4));
      at = buffer.indexOf(boundary);
    }
  }
}

find('#gateway', HTMLInputElement).value = gatewayUrl;
tokenInput.value = sessionStorage.getItem(TOKEN_KEY) ?? '';
tokenInput.addEventListener('input', () => sessionStorage.setItem(TOKEN_KEY, tokenInput.value.trim()));
find('#forget-token', HTMLButtonElement).addEventListener('click', () => {
  tokenInput.value = '';
  sessionStorage.removeItem(TOKEN_KEY);
});
void loadProducts();
