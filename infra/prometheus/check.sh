#!/bin/sh
# Validates the Prometheus config, the alert rules and their unit tests with promtool
# (Debian/Ubuntu: apt-get install prometheus; or the promtool binary of a Prometheus release).
set -eu
cd "$(dirname "$0")"
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not found: install it (apt-get install -y prometheus) to check infra/prometheus" >&2
  exit 1
fi
promtool check config prometheus.yml
promtool check rules rules/*.rules.yml
promtool test rules tests/*.test.yml
