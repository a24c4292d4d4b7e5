# One image for every Supergate service; docker-compose.yml and deploy/k8s pick the
# service by command (node --enable-source-maps dist/<entry point>.js).

# Build: every dependency, the type check, and the compiled code with its runtime files in dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run check && npm run build

# Runtime: production dependencies and dist/ only; no TypeScript, no tsx, no sources.
# test/artefact.e2e.ts runs these steps outside Docker and queries the services they give.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
USER node
ENV HOST=0.0.0.0
CMD ["node", "--enable-source-maps", "dist/gateway/src/index.js"]
