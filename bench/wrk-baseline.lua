-- wrk script for the no-op baseline (GET /actuator/health/liveness). It defines no request(), so wrk sends its one
-- pre-built request, as cheaply as it can; only the result is written, by wrk-report.lua.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "wrk-report.lua")
