#!/usr/bin/env bash
# Installs (or upgrades) the Vitals gateway on a Raspberry Pi OS / Debian machine.
# Run from a checkout of the repository, as root:  sudo gateway/deploy/install.sh
#
# What it does:
#   - creates the system user vitals-gateway (no login, no home), in the dialout group
#   - builds the gateway bundle (gateway/deploy/build.mjs) and copies the workspace to /opt/vitals
#   - creates /etc/vitals-gateway with an example config and an empty password file (mode 600)
#     unless they exist; never overwrites a config or a secret
#   - installs and enables the systemd unit (restart on failure, journald, CAP_NET_RAW/ADMIN)
# Environment: PREFIX (default /opt/vitals), NO_START=1 to install without starting.
set -euo pipefail

PREFIX="${PREFIX:-/opt/vitals}"
ETC=/etc/vitals-gateway
USER_NAME=vitals-gateway
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

die() { echo "install.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run as root (sudo $0)"
command -v node >/dev/null || die "node (20 or newer) is not installed: apt-get install nodejs"
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || die "node $(node -v) is too old; 20 or newer is needed"
command -v systemctl >/dev/null || die "systemd is required"
[ -d "$REPO/gateway/node_modules" ] || die "run 'pnpm install' in $REPO first (the gateway's native modules are needed)"

if ! id "$USER_NAME" >/dev/null 2>&1; then
  useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin --user-group "$USER_NAME"
  echo "created user $USER_NAME"
fi
usermod -a -G dialout "$USER_NAME"

echo "building the gateway bundle"
node "$REPO/gateway/deploy/build.mjs" "$REPO/gateway/dist/vitals-gateway.mjs"

echo "copying to $PREFIX"
# The whole workspace with its node_modules: pnpm links packages with relative symlinks, so
# the copy resolves the gateway's native modules (better-sqlite3, noble, serialport) as the
# checkout does. The app is root-owned and read-only for the gateway user.
mkdir -p "$PREFIX"
tar -C "$REPO" --exclude=./.git --exclude=./data --exclude='./*/data' -cf - . | tar -C "$PREFIX" -xf -
chown -R root:root "$PREFIX"
chmod -R go-w "$PREFIX"

install -d -o root -g "$USER_NAME" -m 0750 "$ETC"
if [ ! -e "$ETC/mqtt-password" ]; then
  install -o "$USER_NAME" -g "$USER_NAME" -m 0600 /dev/null "$ETC/mqtt-password"
  echo "created $ETC/mqtt-password (empty): put the gateway's MQTT password in it"
fi
chown "$USER_NAME:$USER_NAME" "$ETC/mqtt-password"
chmod 0600 "$ETC/mqtt-password"
if [ ! -e "$ETC/gateway.json" ]; then
  cat >"$ETC/gateway.json" <<JSON
{
  "gatewayId": "gw-CHANGE-ME",
  "server": {
    "url": "mqtts://vitals.example.jp:8883",
    "passwordFile": "$ETC/mqtt-password",
    "caFile": "$ETC/ca.pem"
  },
  "dataDir": "/var/lib/vitals-gateway",
  "timezone": "Asia/Tokyo",
  "ble": { "enabled": true, "allow": [], "acceptUnlisted": false },
  "serial": { "enabled": true, "byIdDir": "/dev/serial/by-id", "ports": [] },
  "outbox": { "maxReadings": 2000000, "maxBytes": 1073741824 },
  "health": { "port": 8089 },
  "statusFile": "/run/vitals-gateway/status.json"
}
JSON
  chown "root:$USER_NAME" "$ETC/gateway.json"
  chmod 0640 "$ETC/gateway.json"
  echo "created $ETC/gateway.json: set gatewayId, server.url and the CA, then: systemctl restart vitals-gateway"
fi

install -o root -g root -m 0644 "$REPO/gateway/deploy/vitals-gateway.service" /etc/systemd/system/vitals-gateway.service
sed -i "s#/opt/vitals#$PREFIX#g" /etc/systemd/system/vitals-gateway.service
systemctl daemon-reload
# Stable names and permissions for the serial health devices (see docs/devices-serial.md).
install -o root -g root -m 0644 "$REPO/gateway/deploy/udev/99-vitals-serial.rules" /etc/udev/rules.d/99-vitals-serial.rules
if command -v udevadm >/dev/null; then udevadm control --reload-rules && udevadm trigger --subsystem-match=tty || true; fi
systemctl enable vitals-gateway.service >/dev/null
# Without an RTC the clock is wrong until NTP answers; the gateway holds and re-stamps readings,
# but NTP must be on for that to end.
timedatectl set-ntp true 2>/dev/null || echo "warning: could not enable NTP (timedatectl set-ntp true)"
if [ "${NO_START:-0}" != 1 ]; then
  systemctl restart vitals-gateway.service
  echo "started: journalctl -u vitals-gateway -f   status: cat /run/vitals-gateway/status.json"
fi
