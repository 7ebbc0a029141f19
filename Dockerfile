# syntax=docker/dockerfile:1
# Multi-stage: native modules (the embedded SQLite store) and TypeScript are built here, with the
# compilers; the runtime image carries only production dependencies and the compiled bot.
FROM node:22-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only, with their install scripts (sqlite3 compiles or fetches its binary).
RUN npm ci --omit=dev --ignore-scripts && npm rebuild sqlite3 && cp -r node_modules /prod_modules
COPY . .
RUN npm ci --ignore-scripts && npm rebuild sqlite3 && npm run build

FROM node:22-bookworm-slim
ENV NODE_ENV=production PORT=8080 STORE_URL=sqlite:///data/pysec-herald.sqlite
WORKDIR /app
COPY --from=build /prod_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json docker-entrypoint.sh ./
RUN mkdir -p /data && chown node:node /data
EXPOSE 8080
# The entrypoint gives the data volume to the unprivileged `node` user (volumes are often mounted
# owned by root) and runs the bot as that user; started as non-root, it just runs the bot.
ENTRYPOINT ["./docker-entrypoint.sh"]
CMD ["start"]
