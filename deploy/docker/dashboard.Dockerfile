# syntax=docker/dockerfile:1
# The Observe dashboard, built from the repository root:
#   docker build -f deploy/docker/dashboard.Dockerfile --build-arg SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0@sha256:... \
#     --build-arg RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0@sha256:... -t observe-dashboard .
# Both base images must be given pinned by digest (docs/deploy.md says how to read the current digests); the build
# stops otherwise, so an image is never built on whatever a tag pointed at that day.
ARG SDK_IMAGE
ARG RUNTIME_IMAGE

FROM ${SDK_IMAGE} AS build
ARG SDK_IMAGE
ARG RUNTIME_IMAGE
RUN for image in "$SDK_IMAGE" "$RUNTIME_IMAGE"; do \
      case "$image" in \
        *@sha256:????????????????????????????????????????????????????????????????) ;; \
        *) echo "base image '$image' is not pinned by digest: pass SDK_IMAGE and RUNTIME_IMAGE as name@sha256:<64 hex digits>" >&2; exit 1 ;; \
      esac; \
    done
WORKDIR /src
# Restore first, from the project files only, so a source change does not download the packages again.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY store/Observe.Store/Observe.Store.csproj store/Observe.Store/
COPY collectors/Observe.Collectors/Observe.Collectors.csproj collectors/Observe.Collectors/
COPY collectors/Observe.Collectors.Worker/Observe.Collectors.Worker.csproj collectors/Observe.Collectors.Worker/
COPY alerting/Observe.Alerting/Observe.Alerting.csproj alerting/Observe.Alerting/
COPY dashboard/Observe.Dashboard/Observe.Dashboard.csproj dashboard/Observe.Dashboard/
RUN dotnet restore dashboard/Observe.Dashboard/Observe.Dashboard.csproj
COPY store/ store/
COPY collectors/ collectors/
COPY alerting/ alerting/
COPY dashboard/ dashboard/
RUN dotnet publish dashboard/Observe.Dashboard/Observe.Dashboard.csproj -c Release --no-restore -o /out

FROM ${RUNTIME_IMAGE}
WORKDIR /app
# Owned by root and not writable by the app: the root filesystem can be mounted read-only.
COPY --from=build /out/ /app/
# A numeric id, so Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
USER 10001:10001
ENV DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    TMPDIR=/tmp
# The dashboard binds to loopback unless told otherwise; in a container it serves on 8080 on every interface.
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
# /health is ready-to-serve (store reachable and migrated). The runtime image has bash but no curl, so the check
# speaks HTTP/1.0 over bash's /dev/tcp.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r _ status _ <&3 && [ \"$status\" = 200 ]"]
ENTRYPOINT ["dotnet", "/app/Observe.Dashboard.dll"]
