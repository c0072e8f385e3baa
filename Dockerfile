# The nachos node image: the `nachos` executable on Ubuntu 24.04 (noble), whose libstdc++ has
# GLIBCXX_3.4.32, so TorchSharp's native library loads as shipped (docs/platform.md).
#
# CPU (default):
#   docker build -t nachos .
# CUDA (CUDA 12.8 build of libtorch on an NVIDIA base; the host needs the NVIDIA driver and, for Docker,
# the NVIDIA Container Toolkit):
#   docker build -t nachos:cuda --build-arg TORCH_BACKEND=cuda .
# Apptainer, for Slurm (deploy/slurm/README.md):
#   apptainer build nachos.sif docker-daemon://nachos:cuda
# Running nodes, ports, environment variables, failure behaviour: docs/operations.md.

# cpu or cuda: selects the libtorch native package (-p:TorchBackend, Directory.Build.props) and the base.
ARG TORCH_BACKEND=cpu
# The CUDA build of libtorch carries its CUDA libraries (cuBLAS, cuDNN, ...); the base adds the settings the
# NVIDIA runtime needs to mount the driver. If a GPU host reports missing CUDA libraries, build with
# --build-arg CUDA_BASE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 (larger).
ARG CUDA_BASE=nvidia/cuda:12.8.1-base-ubuntu24.04

# ---- build: restore first (cached until a project file changes), then publish for linux-x64
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TORCH_BACKEND
WORKDIR /src
COPY global.json Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY build/ build/
COPY src/Nachos.Shared/Nachos.Shared.csproj src/Nachos.Shared/
COPY src/Nachos.Training/Nachos.Training.csproj src/Nachos.Training/
COPY src/Nachos.Actors/Nachos.Actors.csproj src/Nachos.Actors/
COPY src/Nachos.Host/Nachos.Host.csproj src/Nachos.Host/
RUN dotnet restore src/Nachos.Host -r linux-x64 -p:TorchBackend=${TORCH_BACKEND}
COPY hocon/ hocon/
COPY src/ src/
# Framework-dependent, linux-x64 only (natives of other platforms left out): /out/nachos, /out/hocon/*.conf.
RUN dotnet publish src/Nachos.Host -c Release -r linux-x64 --self-contained false --no-restore \
        -p:TorchBackend=${TORCH_BACKEND} -o /out

# ---- runtimes: Microsoft's .NET runtime image (CPU), or the NVIDIA base with that same runtime copied in
FROM mcr.microsoft.com/dotnet/runtime:10.0-noble AS runtime-cpu

FROM ${CUDA_BASE} AS runtime-cuda
COPY --from=runtime-cpu /usr/share/dotnet /usr/share/dotnet
# What .NET needs beyond the base (no ICU: the build uses invariant globalization; libssl for TLS to PostgreSQL).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates libssl3t64 tzdata zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet

# ---- the image
FROM runtime-${TORCH_BACKEND}
ARG TORCH_BACKEND
LABEL org.opencontainers.image.title="nachos" \
      org.opencontainers.image.description="Nachos cluster node: nested cross-validation with hyperparameter search (TorchSharp, ${TORCH_BACKEND})"
# Runs as an unprivileged user. Docker: give it a campaign directory it can write (docker run --user
# UID:GID -v /scratch/campaign:/scratch/campaign). Apptainer ignores USER and runs as the caller.
RUN groupadd --gid 10001 nachos \
    && useradd --uid 10001 --gid nachos --create-home --home-dir /home/nachos --shell /usr/sbin/nologin nachos \
    && mkdir -p /data && chown nachos:nachos /data
COPY --from=build /out /app
ENV DOTNET_ROOT=/usr/share/dotnet \
    PATH=/app:$PATH
USER nachos
WORKDIR /data
# 4053: cluster (Akka remoting), every node. 5080: HTTP control API, dashboard and /metrics, served by
# coordinators only (--api-port / NACHOS_API_PORT; docs/api.md). It binds 127.0.0.1 unless --api-host /
# NACHOS_API_HOST says otherwise: on a bridge network set NACHOS_API_HOST=0.0.0.0 and publish it
# (-p 127.0.0.1:5080:5080); with --network host the default is the host's loopback. Its token is
# ROOT/api-token.
EXPOSE 4053 5080
# No HEALTHCHECK: neither base image has curl or wget, and workers serve no HTTP. A coordinator answers
# GET /api/health without a token (200, {"status":"ok",...}); check it from outside, or add curl to the
# image and a line such as
#   HEALTHCHECK CMD curl -fsS http://127.0.0.1:5080/api/health || exit 1
# (for coordinators on the default port). Leaving takes up to ~70 s (tasks checkpoint first): stop
# containers with `docker stop -t 120`.
ENTRYPOINT ["/app/nachos"]
CMD ["--help"]
