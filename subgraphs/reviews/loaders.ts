import DataLoader from 'dataloader';
import { byKey, groupByKey } from '../kit/batch.js';
import type { Queryable } from '../kit/database.js';
import { averageRatings, newestReviewsByUpc, reviewsByAuthor, reviewsById, type ReviewRow } from './db.js';

export interface ReviewLoaders {
  reviewById: DataLoader<string, ReviewRow>;
  reviewsByAuthor: DataLoader<string, ReviewRow[]>;
  /** The mean rating by upc, `null` for a product without reviews. */
  averageRating: DataLoader<string, number | null>;
  /** Newest reviews by upc, limited to `first` per product. */
  newestReviews(first: number): DataLoader<string, ReviewRow[]>;
}

/** Per-request loaders: each batches every load in one tick into one query. */
export function createLoaders(db: Queryable): ReviewLoaders {
  // A batch's one statement applies one limit to every product, so each page size gets its own loader.
  const newestReviewsByFirst = new Map<number, DataLoader<string, ReviewRow[]>>();
  return {
    reviewById: new DataLoader(async (ids) => byKey('Review', ids, await reviewsById(db, ids), (row) => row.id)),
    reviewsByAuthor: new DataLoader(async (authorIds) => groupByKey(authorIds, await reviewsByAuthor(db, authorIds), (row) => row.author_id)),
    averageRating: new DataLoader(async (upcs) => {
      const averages = new Map((await averageRatings(db, upcs)).map((row) => [row.upc, row.average]));
      return upcs.map((upc) => averages.get(upc) ?? null);
    }),
    newestReviews(first) {
      let loader = newestReviewsByFirst.get(first);
      if (loader === undefined) {
        loader = new DataLoader(async (upcs) => groupByKey(upcs, await newestReviewsByUpc(db, upcs, first), (row) => row.upc));
        newestReviewsByFirst.set(first, loader);
      }
      return loader;
    },
  };
}
