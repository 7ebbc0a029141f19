# syntax=docker/dockerfile:1
# Multi-stage: TypeScript is compiled here; the runtime image carries only production dependencies
# and the compiled bot. Nothing is compiled natively (the embedded store is Node's own node:sqlite).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packaging ./packaging
# Production modules without install scripts: there is nothing to build, and `prepare` needs the dev
# tools; -L copies the in-repo stand-in for msgpackr-extract (packaging/) rather than its link.
RUN npm ci --omit=dev --ignore-scripts && cp -rL node_modules /prod_modules
COPY . .
# The full install builds dist/ through `prepare`.
RUN npm ci

FROM node:24-bookworm-slim
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
