# One image for the competition server and its desktop device agents (docs/deploy.md):
#   docker build -t lpcv-harness .
#   docker run -p 8080:8080 -v lpcv-data:/data lpcv-harness        # server with an in-process desktop agent
# docker-compose.yml runs it as a server, a one-shot init and a separate agent.

# Dependencies, built where the compilers are: sqlite3 builds from source when no prebuilt binary fits.
FROM node:20-bookworm-slim AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# onnxruntime-node bundles its CPU binaries; its install script would download CUDA files. npm 10 (this
# image's) ignores package.json's allowScripts, so the variable is what skips it.
ENV ONNXRUNTIME_NODE_INSTALL=skip
# tsx is a runtime dependency (the harness runs from its TypeScript sources); dev tools are left out.
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# The folders the compose file mounts volumes on, owned by the unprivileged user: a fresh named volume
# takes the ownership of the folder it is mounted on.
RUN mkdir -p /data /cache /run/lpcv && chown node:node /data /cache /run/lpcv
USER node
EXPOSE 8080
ENTRYPOINT ["node", "bin/lpcv.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080", "--data-dir", "/data"]
