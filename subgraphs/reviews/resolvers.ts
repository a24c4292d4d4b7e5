import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { ErrorCode } from '../../lib/errors.js';
import { loadOrNull } from '../kit/batch.js';
import { pageSize } from '../kit/cursor.js';
import { SubgraphError } from '../kit/errors.js';
import type { ReviewsContext } from './context.js';
import { insertReview, type ReviewRow } from './db.js';

interface UserRef {
  id: string;
}

interface ProductRef {
  upc: string;
}

interface AddReviewArgs {
  upc: string;
  body: string;
  rating: number;
}

const MAX_BODY_CHARACTERS = 2000;
const MAX_UPC_LENGTH = 200;

/** Every new review is published twice: to everyone following all reviews, and to those following its product. */
const ALL_REVIEWS = 'reviewAdded';
const reviewsOf = (upc: string): string => `reviewAdded.${upc}`;

export const resolvers: GraphQLResolverMap<ReviewsContext> = {
  Query: {
    review: (_: unknown, args: { id: string }, ctx: ReviewsContext) => loadOrNull(ctx.loaders.reviewById, args.id),
  },
  Mutation: {
    async addReview(_: unknown, args: AddReviewArgs, ctx: ReviewsContext): Promise<ReviewRow> {
      const body = validBody(args.body);
      const rating = validRating(args.rating);
      if (ctx.viewerId === null) throw new SubgraphError(ErrorCode.Unauthenticated, 'You must be signed in to review a product.');
      // Reviews does not own products, so an unknown upc cannot be refused here.
      const review = await insertReview(ctx.db, { upc: args.upc, authorId: ctx.viewerId, body, rating });
      ctx.changes.add('Product', review.upc);
      ctx.changes.add('User', review.author_id);
      ctx.changes.add('Review', review.id);
      // The review is stored: a bus that is down costs its followers this event, not the author their review.
      await Promise.all(
        [ALL_REVIEWS, reviewsOf(review.upc)].map((trigger) =>
          ctx.events
            .publish(trigger, { reviewId: review.id })
            .catch((error: unknown) => console.error(`[reviews] publishing review ${review.id} failed: ${String(error)}`)),
        ),
      );
      return review;
    },
  },
  Subscription: {
    reviewAdded: {
      subscribe(_: unknown, args: { upc?: string | null }, ctx: ReviewsContext) {
        const upc = args.upc ?? null;
        if (upc !== null && (upc.length === 0 || upc.length > MAX_UPC_LENGTH)) {
          throw new SubgraphError(ErrorCode.BadUserInput, `upc must be 1 to ${MAX_UPC_LENGTH} characters.`, { argumentName: 'upc' });
        }
        return ctx.events.subscribe([upc === null ? ALL_REVIEWS : reviewsOf(upc)]);
      },
      resolve: (event: { reviewId: string }, _: unknown, ctx: ReviewsContext) => ctx.loaders.reviewById.load(event.reviewId),
    },
  },
  Review: {
    __resolveReference: (ref: { id: string }, ctx: ReviewsContext) => loadOrNull(ctx.loaders.reviewById, ref.id),
    author: (review: ReviewRow) => ({ __typename: 'User', id: review.author_id }),
    product: (review: ReviewRow) => ({ __typename: 'Product', upc: review.upc }),
    createdAt: (review: ReviewRow) => review.created_at.toISOString(),
  },
  User: {
    __resolveReference: (ref: UserRef) => ref,
    reviews: (user: UserRef, _: unknown, ctx: ReviewsContext) => ctx.loaders.reviewsByAuthor.load(user.id),
  },
  Product: {
    __resolveReference: (ref: ProductRef) => ref,
    reviews(product: ProductRef, args: { first?: number | null }, ctx: ReviewsContext): Promise<ReviewRow[]> | ReviewRow[] {
      const first = pageSize(args.first, 10);
      return first === 0 ? [] : ctx.loaders.newestReviews(first).load(product.upc);
    },
    averageRating: (product: ProductRef, _: unknown, ctx: ReviewsContext) => ctx.loaders.averageRating.load(product.upc),
  },
};

/** Trims the body and checks its length in characters (code points, as PostgreSQL counts them). */
function validBody(raw: string): string {
  const body = raw.trim();
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- code points are what PostgreSQL counts
  const length = [...body].length;
  if (length === 0) throw new SubgraphError(ErrorCode.BadUserInput, 'The review body must not be empty.', { argumentName: 'body' });
  if (length > MAX_BODY_CHARACTERS) {
    throw new SubgraphError(ErrorCode.BadUserInput, `The review body must be at most ${MAX_BODY_CHARACTERS} characters; it has ${length}.`, {
      argumentName: 'body',
    });
  }
  return body;
}

function validRating(rating: number): number {
  if (rating < 1 || rating > 5) {
    throw new SubgraphError(ErrorCode.BadUserInput, `The rating must be from 1 to 5 stars; got ${rating}.`, { argumentName: 'rating' });
  }
  return rating;
}
