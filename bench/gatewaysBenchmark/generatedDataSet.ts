import { seededRandom } from '../seededRandom.js';
import type { DataSet, Product, Review, Stock, User } from './dataSet.js';

export interface GeneratedDataSetOptions {
  /** @default 10_000 */
  readonly users?: number;
  /** @default 10_000 */
  readonly products?: number;
  /** Reviews per product are drawn from 0 to twice this. @default 3 */
  readonly reviewsPerProduct?: number;
  /** The same seed always gives the same data, in every process. @default 1 */
  readonly seed?: number;
}

const FIRST_NAMES = ['Ada', 'Ben', 'Chloe', 'Dmitri', 'Eva', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Kemal', 'Lena', 'Mateo', 'Nora', 'Omar', 'Priya'];
const LAST_NAMES = [
  'Andersen',
  'Brown',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'Garcia',
  'Haddad',
  'Ivanova',
  'Jensen',
  'Kowalski',
  'Lopez',
  'Moreau',
  'Novak',
];
const ADJECTIVES = ['Oak', 'Steel', 'Compact', 'Folding', 'Velvet', 'Outdoor', 'Smart', 'Vintage', 'Linen', 'Glass', 'Walnut', 'Modular'];
const NOUNS = ['Table', 'Couch', 'Glass', 'Chair', 'TV', 'Lamp', 'Grill', 'Fridge', 'Sofa', 'Desk', 'Shelf', 'Rug', 'Kettle', 'Mirror'];
const WORDS = [
  'lorem',
  'ipsum',
  'dolor',
  'sit',
  'amet',
  'sturdy',
  'arrived',
  'late',
  'great',
  'value',
  'would',
  'buy',
  'again',
  'colour',
  'fades',
  'solid',
  'cheap',
  'feel',
];

/**
 * A data set in the benchmark's shapes, large enough that varied requests rarely
 * repeat: deterministic from its seed, so every subgraph process derives the same one.
 */
export function generatedDataSet(options: GeneratedDataSetOptions = {}): DataSet {
  const random = seededRandom(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

  const users: User[] = [];
  for (let index = 1; index <= (options.users ?? 10_000); index += 1) {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    users.push({ id: String(index), name: `${first} ${last}`, username: `${first.toLowerCase()}${index}`, birthday: between(0, 1_700_000_000) });
  }
  const products: Product[] = [];
  const inventory: Stock[] = [];
  const reviews: Review[] = [];
  const reviewsPerProduct = options.reviewsPerProduct ?? 3;
  for (let index = 1; index <= (options.products ?? 10_000); index += 1) {
    const upc = String(index);
    products.push({ upc, name: `${pick(ADJECTIVES)} ${pick(NOUNS)}`, price: between(5, 100_000), weight: between(1, 6_000) });
    inventory.push({ upc, inStock: random() < 0.6 });
    for (let count = between(0, reviewsPerProduct * 2); count > 0; count -= 1) {
      const body = Array.from({ length: between(4, 24) }, () => pick(WORDS)).join(' ');
      reviews.push({ id: String(reviews.length + 1), body, productUpc: upc, authorId: pick(users).id });
    }
  }
  return { users, products, inventory, reviews, behaviour: 'recorded' };
}
