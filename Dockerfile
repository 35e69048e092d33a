# syntax=docker/dockerfile:1
# policybot's container image (see the README's "Deployment kit"): built in the Go image with gcc and
# g++ (cgo compiles jieba's C++), run in slim Debian as an unprivileged user (uid 10001), with its
# data -- the index, the query log, and the corpus staff keep current -- in a volume at /data. The
# shipped corpus is in the image and copied into /data on the first start, so that
#   docker build -t policybot . && docker run -i --rm policybot chat <<< '失业金怎么领'
# answers out of the box.
#
# The base images are pinned by tag: Go 1.26.8 (the go.mod's) and Debian 12.11 "bookworm", the same
# Debian in both stages, so the binary finds the libstdc++ it was linked against. They are not pinned
# by digest: no registry could be reached where this file was written to look the digests up. Pin
# them (FROM golang:1.26.8-bookworm@sha256:…) once you have pulled them from your registry.

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
# The modules first, so that a change to the code does not download them again.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# cgo on for jieba. The build context has no .git (.dockerignore), so the binary carries no VCS
# stamp: `policybot version` says (devel).
RUN CGO_ENABLED=1 go build -trimpath -buildvcs=false -o /out/policybot ./cmd/policybot

FROM debian:12.11-slim
# libstdc++ for jieba, CA certificates for api.telegram.org, time zones for TZ.
RUN apt-get update \
	&& apt-get install -y --no-install-recommends libstdc++6 ca-certificates tzdata \
	&& rm -rf /var/lib/apt/lists/*
# A fixed uid, so that a host folder mounted at /data can be given to it (chown 10001:10001).
RUN groupadd --system --gid 10001 policybot \
	&& useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin policybot \
	&& mkdir -p /data && chown 10001:10001 /data && chmod 0700 /data
COPY --from=build /out/policybot /usr/local/bin/policybot
COPY deploy/policybot-start /usr/local/bin/policybot-start
# The shipped corpus: documents, dictionaries and regression questions, as in the repository.
COPY corpus/docs /usr/share/policybot/corpus/docs
COPY corpus/dict /usr/share/policybot/corpus/dict
COPY corpus/regression.jsonl /usr/share/policybot/corpus/regression.jsonl
ENV POLICYBOT_DATA=/data \
	POLICYBOT_CORPUS=/data/corpus/docs \
	TZ=Asia/Shanghai
VOLUME /data
WORKDIR /data
USER 10001:10001
# The admin page (with POLICYBOT_ADMIN_ADDR=:8080) and a webhook (POLICYBOT_LISTEN=:8443).
EXPOSE 8080 8443
ENTRYPOINT ["/usr/local/bin/policybot-start"]
CMD ["serve"]
