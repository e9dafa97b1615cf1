#!/usr/bin/env bash
# Builds the dashboard image with buildah from a base made from this host's files (no image registry needed), runs it
# and asks /health, the way its HEALTHCHECK does. For machines like the CI's, where podman cannot start containers
# (crun cannot set RLIMIT_NOFILE), the image is run with `buildah run --isolation chroot` on the host network instead.
# Not part of scripts/test.sh: it restores and publishes the dashboard inside the build, minutes on two cores.
#   apt-get install -y podman buildah && bash deploy/docker/local-check.sh
set -euo pipefail
shopt -s inherit_errexit

root=$(cd "$(dirname "$0")/../.." && pwd)
port=${OBSERVE_CHECK_PORT:-8080}
log() { printf '[local-check] %s\n' "$*" >&2; }

# The base: bash, sh, the host's .NET SDK and runtimes, the native libraries they load, CA certificates.
make_base() {
  local c m f l
  c=$(buildah from scratch)
  m=$(buildah mount "$c")
  mkdir -p "$m"/{bin,tmp,root,etc/ssl/certs,usr/bin,usr/share,usr/lib/x86_64-linux-gnu}
  chmod 1777 "$m/tmp"
  cp -a /usr/share/dotnet "$m/usr/share/"
  cp /bin/bash /bin/sh "$m/bin/"
  cp /etc/ssl/certs/ca-certificates.crt "$m/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/bin/bash\napp:x:10001:10001::/tmp:/bin/bash\n' >"$m/etc/passwd"
  printf 'root:x:0:\napp:x:10001:\n' >"$m/etc/group"
  while IFS= read -r f; do
    for l in "$f" $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*' || true); do
      [ -e "$l" ] && cp -n --parents "$l" "$m/"
    done
  done < <(find /usr/share/dotnet -name '*.so' -type f; echo /bin/bash; echo /bin/sh; echo /usr/share/dotnet/dotnet)
  # Loaded by name at run time, so ldd does not list them.
  cp -a /usr/lib/x86_64-linux-gnu/libicu*.so* /usr/lib/x86_64-linux-gnu/libssl.so* /usr/lib/x86_64-linux-gnu/libcrypto.so* "$m/usr/lib/x86_64-linux-gnu/"
  buildah config --env PATH=/usr/share/dotnet:/usr/bin:/bin --env HOME=/root --env DOTNET_ROOT=/usr/share/dotnet "$c"
  buildah umount "$c" >/dev/null
  buildah commit -q --rm "$c" localhost/observe-local-base >/dev/null
  buildah images --digests --format '{{.Digest}}' localhost/observe-local-base | head -n 1
}

log "making the base from this host's files"
digest=$(make_base)
base="localhost/observe-local-base@$digest"
log "building deploy/docker/dashboard.Dockerfile on $base"
# --format docker keeps HEALTHCHECK (the OCI format has no such field); the host's NuGet cache saves the downloads.
buildah bud --format docker --isolation chroot --network host -v "$HOME/.nuget/packages:/root/.nuget/packages" \
  -f deploy/docker/dashboard.Dockerfile --build-arg SDK_IMAGE="$base" --build-arg RUNTIME_IMAGE="$base" \
  -t localhost/observe-dashboard-check "$root" >&2

container=$(buildah from localhost/observe-dashboard-check)
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
  buildah rm "$container" >/dev/null 2>&1 || true
}
trap cleanup EXIT
buildah run --isolation chroot --network host -e ASPNETCORE_HTTP_PORTS="$port" \
  -e Observe__Store__DataDirectory=/tmp/data -e Observe__Demo__Enabled=false "$container" -- dotnet /app/Observe.Dashboard.dll >&2 &
pid=$!
for _ in $(seq 1 120); do
  buildah run --isolation chroot --network host "$container" -- bash -c \
    "exec 3<>/dev/tcp/127.0.0.1/$port && printf 'GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3 && read -r _ status _ <&3 && [ \"\$status\" = 200 ]" 2>/dev/null \
    && { log "/health answered 200 from the image, asked as its HEALTHCHECK asks"; exit 0; }
  kill -0 "$pid" 2>/dev/null || { log "the dashboard exited"; exit 1; }
  sleep 1
done
log "/health did not answer 200 within 120 s"
exit 1
