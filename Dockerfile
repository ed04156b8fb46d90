# Confab in a container: docker build -t confab-rooms . && see README.md / compose.yaml.
# Stage 1 builds the client (vite) and the server (esbuild) with the dev tools;
# stage 2 holds only the runtime dependencies and what was built, and runs as a non-root user.
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    CONFAB_HOST=0.0.0.0 \
    CONFAB_PORT=8080 \
    CONFAB_UDP_PORT=3479 \
    CONFAB_DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist ./dist
COPY --from=build /src/dist-server ./dist-server
COPY deploy ./deploy
RUN mkdir -p /data && chown node:node /data
USER node
# The self-signed certificate (when no --tls-cert is given) is kept here across restarts.
VOLUME ["/data"]
# HTTPS (or HTTP with CONFAB_TLS=off behind a proxy): the page, /signal, /relay, /healthz.
EXPOSE 8080/tcp
# The relay node's media, every connection on this one UDP port (--udp-port).
EXPOSE 3479/udp
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "deploy/healthcheck.cjs"]
CMD ["node", "bin/confab.js"]
