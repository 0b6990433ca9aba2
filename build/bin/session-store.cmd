@echo off
rem The session-store service (seed 003) from the installed WA Bridge app (resources\bin).
rem Settings from the environment: GLOBAL_AUTH_TOKEN (required), SESSION_STORE_PORT, SESSION_STORE_DIR, BODY_SIZE.
"%~dp0..\..\WA Bridge.exe" --session-store %*
