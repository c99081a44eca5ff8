# pexops: a multi-stage build to a small runtime image holding only the static binary, the
# CA bundle and an empty data folder. Built with `make docker` (needs a Docker engine).

FROM node:20-bookworm-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=assets /src/node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
COPY --from=assets /src/node_modules/htmx-ext-ws/dist/ws.js static/vendor/ws.js
RUN go tool templ generate -check \
 && CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/pexops . \
 && mkdir -p /out/data

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/pexops /pexops
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["/pexops", "-addr", "0.0.0.0:8080", "-db", "/data/pexops.db"]
