# The nachos node image. CPU by default:
#   docker build -t nachos .
# CUDA variant (NVIDIA runtime base, CUDA build of libtorch):
#   docker build -t nachos:cuda --build-arg TORCH_BACKEND=cuda \
#     --build-arg RUNTIME_BASE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 .
ARG RUNTIME_BASE=mcr.microsoft.com/dotnet/runtime:10.0-noble

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TORCH_BACKEND=cpu
WORKDIR /src
COPY . .
RUN dotnet publish src/Nachos.Host -c Release -o /out -p:TorchBackend=${TORCH_BACKEND}

# Ubuntu 24.04's libstdc++ has GLIBCXX_3.4.32, so libLibTorchSharp.so loads unpatched there.
FROM ${RUNTIME_BASE}
ARG TORCH_BACKEND=cpu
RUN if [ "$TORCH_BACKEND" = "cuda" ]; then \
      apt-get update && apt-get install -y --no-install-recommends dotnet-runtime-10.0 && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /app
COPY --from=build /out .
VOLUME ["/data"]
WORKDIR /data
ENTRYPOINT ["dotnet", "/app/nachos.dll"]
CMD ["--help"]
