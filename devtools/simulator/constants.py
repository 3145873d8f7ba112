"""The simulator's demo credentials: well known on purpose (they open nothing but the local simulator)."""

DEMO_CLIENT_ID = "demo-client"
DEMO_CLIENT_SECRET = "demo-secret"
DEMO_APP_KEY = "demo-app-key"
DEMO_TENANT_ID = 1000001
