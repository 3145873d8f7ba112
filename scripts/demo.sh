#!/usr/bin/env bash
# `make demo`: migrate, start the local ServiceTitan simulator, smoke-test and sync it, then serve the admin.
# Everything is embedded (SQLite, in-process tasks) unless DATABASE_URL / REDIS_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
SIM_HOST=127.0.0.1
SIM_PORT=${DEMO_SIMULATOR_PORT:-8765}
WEB_PORT=${DEMO_WEB_PORT:-8000}
SCALE=${DEMO_SCALE:-0.05}
mkdir -p var

export DJANGO_DEBUG=${DJANGO_DEBUG:-true}
# Point LAZI at the simulator with its demo credentials (they are not secrets).
export SERVICE_TITAN_API_URL="http://$SIM_HOST:$SIM_PORT"
export SERVICE_TITAN_AUTH_URL="http://$SIM_HOST:$SIM_PORT"
export SERVICE_TITAN_CLIENT_ID=demo-client
export SERVICE_TITAN_CLIENT_SECRET=demo-secret
export SERVICE_TITAN_APP_KEY=demo-app-key
export SERVICE_TITAN_TENANT_ID=1000001

echo "==> Migrating the database"
$PY manage.py migrate --noinput
$PY manage.py setup_schedules

echo "==> Starting the ServiceTitan simulator on $SERVICE_TITAN_API_URL (scale $SCALE, log: var/simulator.log)"
$PY manage.py st_simulator --host "$SIM_HOST" --port "$SIM_PORT" --scale "$SCALE" >var/simulator.log 2>&1 &
SIM_PID=$!
trap 'kill $SIM_PID 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 120); do
  if $PY -c "import urllib.request,sys; urllib.request.urlopen('$SERVICE_TITAN_API_URL/_simulator/health', timeout=1)" 2>/dev/null; then
    break
  fi
  kill -0 "$SIM_PID" 2>/dev/null || { echo "The simulator did not start:"; cat var/simulator.log; exit 1; }
  sleep 0.5
done

echo "==> Smoke test against the simulator"
$PY manage.py st_smoke

echo "==> Full sync of every module"
$PY manage.py st_sync --full

echo "==> The demo distributor's price file (for Materials → Vendor price file, or st_import_costs)"
$PY manage.py st_simulator --scale "$SCALE" --write-price-file var/ferguson-prices.csv

echo "==> Demo login"
PASSWORD=$($PY -c "import secrets; print(secrets.token_urlsafe(9))")
DEMO_PASSWORD="$PASSWORD" $PY manage.py shell -v 0 -c "
import os
from django.contrib.auth import get_user_model
user, _ = get_user_model().objects.get_or_create(username='demo', defaults={'email': 'demo@example.com'})
user.is_staff = user.is_superuser = True
user.set_password(os.environ['DEMO_PASSWORD'])
user.save()
"
cat <<MSG

  LAZI admin:  http://127.0.0.1:$WEB_PORT/admin/
  username:    demo
  password:    $PASSWORD
  API docs:    http://127.0.0.1:$WEB_PORT/api/docs/
  Price file:  var/ferguson-prices.csv — vendor "Ferguson Supply": Materials → Vendor price file (some rows
               unmatched, two with a bad cost), or: manage.py st_import_costs var/ferguson-prices.csv
               --vendor "Ferguson Supply" --dry-run
  Health:      http://127.0.0.1:$WEB_PORT/admin/pricebook/health/
  Simulator:   $SERVICE_TITAN_API_URL  (Ctrl-C stops the admin and the simulator)

MSG
$PY manage.py runserver "127.0.0.1:$WEB_PORT" --noreload
