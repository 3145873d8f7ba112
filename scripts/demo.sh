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
# The simulator's data survives restarts here: what you pushed yesterday is still there today.
STATE_FILE=${DEMO_SIMULATOR_STATE:-var/simulator-state.pickle}
mkdir -p var
STARTED=$SECONDS
step() { echo; echo "==> $1"; STEP_STARTED=$SECONDS; }
took() { echo "    done in $((SECONDS - STEP_STARTED))s"; }

export DJANGO_DEBUG=${DJANGO_DEBUG:-true}
# Point LAZI at the simulator with its demo credentials (they are not secrets).
export SERVICE_TITAN_API_URL="http://$SIM_HOST:$SIM_PORT"
export SERVICE_TITAN_AUTH_URL="http://$SIM_HOST:$SIM_PORT"
export SERVICE_TITAN_CLIENT_ID=demo-client
export SERVICE_TITAN_CLIENT_SECRET=demo-secret
export SERVICE_TITAN_APP_KEY=demo-app-key
export SERVICE_TITAN_TENANT_ID=1000001

echo "LAZI demo: migrate, start the ServiceTitan simulator, sync every module, show an override's life, serve the"
echo "admin. The first run takes about a minute (the sync of every module); later runs are quicker."

step "Migrating the database"
$PY manage.py migrate --noinput >var/migrate.log 2>&1 || { cat var/migrate.log; exit 1; }
echo "    $(grep -c '^  Applying' var/migrate.log || true) migrations applied (log: var/migrate.log)"
$PY manage.py setup_schedules | sed 's/^/    /'
took

step "Starting the ServiceTitan simulator on $SERVICE_TITAN_API_URL (scale $SCALE, data kept in $STATE_FILE, log: var/simulator.log)"
PYTHONUNBUFFERED=1 $PY manage.py st_simulator --host "$SIM_HOST" --port "$SIM_PORT" --scale "$SCALE" --state-file "$STATE_FILE" \
  >var/simulator.log 2>&1 &
SIM_PID=$!
trap 'kill $SIM_PID 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 120); do
  if $PY -c "import urllib.request,sys; urllib.request.urlopen('$SERVICE_TITAN_API_URL/_simulator/health', timeout=1)" 2>/dev/null; then
    break
  fi
  kill -0 "$SIM_PID" 2>/dev/null || { echo "The simulator did not start:"; cat var/simulator.log; exit 1; }
  sleep 0.5
done
head -n 1 var/simulator.log | sed 's/^/    /'
took

step "Smoke test against the simulator"
LAZI_LOG_LEVEL=WARNING $PY manage.py st_smoke
took

step "Full sync of every module (one line per entity as it finishes)"
# The command prints one line per entity; its log lines would say the same again.
LAZI_LOG_LEVEL=WARNING $PY manage.py st_sync --full
took

step "The life of an override: saved as pending, pushed to ServiceTitan, synced back"
LAZI_LOG_LEVEL=WARNING $PY manage.py shell -v 0 -c "$(cat scripts/demo_override.py)"
took

step "The demo distributor's price file (for Materials → Vendor price file, or st_import_costs)"
$PY manage.py st_simulator --scale "$SCALE" --write-price-file var/ferguson-prices.csv
took

step "Demo login"
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

  Ready in $((SECONDS - STARTED))s.

  LAZI admin:  http://127.0.0.1:$WEB_PORT/admin/
  username:    demo
  password:    $PASSWORD
  API docs:    http://127.0.0.1:$WEB_PORT/api/docs/
  Price file:  var/ferguson-prices.csv — vendor "Ferguson Supply": Materials → Vendor price file (some rows
               unmatched, two with a bad cost), or: manage.py st_import_costs var/ferguson-prices.csv
               --vendor "Ferguson Supply" --dry-run
  Health:      http://127.0.0.1:$WEB_PORT/admin/pricebook/health/
  Simulator:   $SERVICE_TITAN_API_URL  (Ctrl-C stops the admin and the simulator; its data stays in $STATE_FILE)

  Change a price on a material's page: the list shows it "pending" until the push has run (in this embedded
  setup right after the save), then "synced" once ServiceTitan has it.

MSG
$PY manage.py runserver "127.0.0.1:$WEB_PORT" --noreload
