# syntax=docker/dockerfile:1
# Build: a static binary (FerretDB's SQLite is pure Go, so CGO is off).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/bettermatch ./cmd/bettermatch \
 && mkdir -p /out/data

# Run: a small non-root image with only the binary.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bettermatch /bettermatch
COPY --from=build --chown=65532:65532 /out/data /data
ENV BETTERMATCH_ADDR=:8080 BETTERMATCH_DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s CMD ["/bettermatch", "healthcheck"]
ENTRYPOINT ["/bettermatch"]
CMD ["serve"]
