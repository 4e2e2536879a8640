#!/bin/sh
# Installs the Debian packages the tests need: the nginx mTLS end-to-end test (test/e2e) and openssl.
# Idempotent; meant for a fresh Debian 12 CI machine, run as root.
#   nginx       - the real nginx binary (nginx-light would do too; `nginx` is the seed's server)
#   util-linux  - `unshare` (private mount, network and PID namespaces for the test)
#   mount       - `mount` (bind mounts, tmpfs and overlay inside the private mount namespace)
#   iproute2    - `ip link set lo up` inside the private network namespace
#   openssl     - the CLI test/certificates.test.ts verifies the generated chain with
set -eu

PKGS="nginx util-linux mount iproute2 openssl"

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then exec sudo -E sh "$0" "$@"; fi
  echo "ci-install.sh: must run as root" >&2
  exit 1
fi

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "ci-install.sh: already installed:$(printf ' %s' $PKGS)"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Quiet on success; the full apt output on failure.
if ! apt-get update -qq >"$log" 2>&1; then cat "$log" >&2; exit 1; fi
# policy-rc.d keeps the package from starting an nginx service on the CI host
# (nothing may listen on the host's port 80; the test runs its own nginx).
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi
rc=0
apt-get install -y -qq --no-install-recommends $missing >"$log" 2>&1 || rc=$?
if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
if [ "$rc" -ne 0 ]; then cat "$log" >&2; exit "$rc"; fi
echo "ci-install.sh: installed:$missing"
