-- Shared by the wrk scripts: writes the run's figures as JSON to $BENCH_RESULT_FILE, so the bench reads numbers
-- instead of scraping wrk's human-readable output (whose units change between us, ms and s). The latency histogram
-- (distinct value in microseconds, count) goes along, so percentiles can be computed over several runs together.
function done(summary, latency, requests)
  local out = assert(io.open((assert(os.getenv("BENCH_RESULT_FILE"), "BENCH_RESULT_FILE not set")), "w"))
  local histogram = {}
  for i = 1, #latency do
    local value, count = latency(i)
    histogram[#histogram + 1] = string.format("[%d,%d]", value, count)
  end
  local e = summary.errors
  out:write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"histogram":[%s]}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(histogram, ",")))
  out:close()
end
