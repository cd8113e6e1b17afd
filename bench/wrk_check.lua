-- wrk script for bench/floors.py: POST the GraphQL body in $BODY, with %N% replaced by a counter
-- (START + 1, START + 2, ...: one fresh order per request for requestReturn), an optional bearer token
-- ($AUTH), and every answer checked: HTTP 200, no "errors", and $EXPECT somewhere in the body.
-- Run it with one thread (-t 1): the counter is per thread. done() prints "CHECK requests bad first".
local template = os.getenv("BODY")
local expect = os.getenv("EXPECT")
local start = tonumber(os.getenv("START") or "0")
local auth = os.getenv("AUTH")
local threads = {}

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if auth and auth ~= "" then wrk.headers["Authorization"] = "Bearer " .. auth end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  bad = 0
  first_bad = ""
end

function request()
  counter = counter + 1
  local body = string.gsub(template, "%%N%%", tostring(start + counter))
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  local ok = status == 200 and not string.find(body, '"errors"', 1, true)
  if ok and expect and expect ~= "" then ok = string.find(body, expect, 1, true) ~= nil end
  if not ok then
    bad = bad + 1
    if first_bad == "" then first_bad = tostring(status) .. " " .. string.sub(body, 1, 300) end
  end
end

function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    local fb = string.gsub(t:get("first_bad") or "", "[\r\n]", " ")
    io.write(string.format("CHECK %d %d %s\n", t:get("counter") or 0, t:get("bad") or 0, fb))
  end
end
