import { ErrorCode } from '../../lib/errors.js';
import { SubgraphError } from '../kit/errors.js';
import type { StockItem } from '../kit/stockItems.js';
import type { PeerClient, PeerResponse } from './peerClient.js';

/** The subgraphs placing an order calls. */
export interface Peers {
  products: PeerClient;
  inventory: PeerClient;
}

const PRICES = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { upc price } } }`;

const RESERVE_STOCK = `mutation ($id: String!, $items: [StockItemInput!]!) { reserveStock(reservationId: $id, items: $items) { created items { upc quantity } } }`;

const RELEASE_STOCK = `mutation ($id: String!) { releaseStock(reservationId: $id) { returned } }`;

/** Current prices in cents by upc; an unknown upc is the caller's mistake. */
export async function fetchPrices(products: PeerClient, upcs: readonly string[]): Promise<Map<string, number>> {
  const response = await products.request(PRICES, { r: upcs.map((upc) => ({ __typename: 'Product', upc })) });
  const entities = response.data?.['_entities'];
  if (response.errors.length > 0 || !Array.isArray(entities) || entities.length !== upcs.length) throw failed('products', response);
  const prices = new Map<string, number>();
  upcs.forEach((upc, index) => {
    const entity: unknown = entities[index];
    if (entity === null) throw new SubgraphError(ErrorCode.BadUserInput, `Product ${upc} does not exist.`, { upc });
    if (!isPricedProduct(entity) || entity.upc !== upc) throw failed('products', response);
    prices.set(upc, entity.price);
  });
  return prices;
}

/**
 * Reserves the items' stock under `reservationId` and answers what inventory
 * says the reservation holds; the same id never reserves twice, so a retried
 * order does not take stock again.
 */
export async function reserveStock(inventory: PeerClient, reservationId: string, items: readonly StockItem[]): Promise<StockItem[]> {
  const response = await inventory.request(RESERVE_STOCK, { id: reservationId, items: items.map(({ upc, quantity }) => ({ upc, quantity })) });
  const outOfStock = response.errors.find((error) => error.extensions['code'] === ErrorCode.OutOfStock);
  if (outOfStock !== undefined) throw new SubgraphError(ErrorCode.OutOfStock, outOfStock.message, { upc: outOfStock.extensions['upc'] });
  const reservation = response.data?.['reserveStock'];
  if (response.errors.length > 0 || !isRecord(reservation) || !Array.isArray(reservation['items']) || !reservation['items'].every(isStockItem))
    throw failed('inventory', response);
  return reservation['items'];
}

/** Puts a reservation's units back in stock and retires its id; releasing twice is harmless. */
export async function releaseStock(inventory: PeerClient, reservationId: string): Promise<void> {
  const response = await inventory.request(RELEASE_STOCK, { id: reservationId });
  if (response.errors.length > 0 || !isRecord(response.data?.['releaseStock'])) throw failed('inventory', response);
}

function failed(name: string, response: PeerResponse): SubgraphError {
  console.error(`[orders] ${name} answered unexpectedly: ${JSON.stringify(response.errors.map((error) => error.message))}`);
  return new SubgraphError(ErrorCode.UpstreamFailed, `${name} is unavailable`, { serviceName: name });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isStockItem(value: unknown): value is StockItem {
  return isRecord(value) && typeof value['upc'] === 'string' && typeof value['quantity'] === 'number';
}

function isPricedProduct(value: unknown): value is { upc: string; price: number } {
  return isRecord(value) && typeof value['upc'] === 'string' && typeof value['price'] === 'number';
}
